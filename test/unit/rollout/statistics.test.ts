import { describe, expect, it } from "vitest";
import { confidenceSequenceRadius, errorRateDifferenceLowerBound, percentile, wilsonLowerBound } from "@/lib/rollout/statistics";

describe("wilsonLowerBound", () => {
  it("matches hand-computed values", () => {
    // p̂ = 0.3, n = 10, z = 1.96: center 0.49208/1.38416, margin 1.96·√(0.021 + 0.009604)/1.38416
    expect(wilsonLowerBound(3, 10)).toBeCloseTo(0.1078, 4);
    // 1 in 200: (0.005 + 0.0096040 − 1.96·√(0.00002487 + 0.00002401)) / 1.019208
    expect(wilsonLowerBound(1, 200)).toBeCloseTo(0.000883, 5);
    expect(wilsonLowerBound(0, 50)).toBe(0);
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });

  it("rises with n at a fixed rate", () => {
    expect(wilsonLowerBound(30, 100)).toBeGreaterThan(wilsonLowerBound(3, 10));
  });
});

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBe(19);
    expect(percentile(xs, 50)).toBe(10);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBeNull();
  });

  it("agrees with sorting on shuffled samples full of repeats, and leaves them unchanged", () => {
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [2, 3, 10, 101, 5_000]) {
      const xs = Array.from({ length: n }, () => Math.floor(next() * 50));
      const copy = [...xs];
      const sorted = [...xs].sort((a, b) => a - b);
      for (const p of [1, 50, 95, 99, 100]) expect(percentile(xs, p)).toBe(sorted[Math.ceil((p / 100) * n) - 1]);
      expect(xs).toEqual(copy);
    }
  });
});

describe("confidence sequence", () => {
  it("shrinks with n and is wider for smaller alpha", () => {
    expect(confidenceSequenceRadius(100, 0.025)).toBeGreaterThan(confidenceSequenceRadius(1000, 0.025));
    expect(confidenceSequenceRadius(100, 0.01)).toBeGreaterThan(confidenceSequenceRadius(100, 0.05));
    // Hand-computed: ρ = (2 ln 40 + ln(1 + 2 ln 40)) / 500 = 9.50335 / 500 = 0.0190067; n = 100:
    // √(0.5 · 2.90067 / 190.067 · ln(√2.90067 / 0.025)) = √(0.0076306 · 4.22134) = 0.17948
    expect(confidenceSequenceRadius(100, 0.025)).toBeCloseTo(0.17948, 4);
  });

  it("holds its coverage when checked after every observation (simulated)", () => {
    // 400 streams of 2,000 Bernoulli(0.1) draws, checked at every step: the share of streams
    // whose interval ever excludes the truth must stay under α.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let violations = 0;
    for (let s = 0; s < 400; s++) {
      let sum = 0;
      for (let n = 1; n <= 2000; n++) {
        sum += rand() < 0.1 ? 1 : 0;
        if (Math.abs(sum / n - 0.1) > confidenceSequenceRadius(n, 0.05)) {
          violations++;
          break;
        }
      }
    }
    expect(violations / 400).toBeLessThan(0.05);
  });

  it("bounds the error-rate difference from both arms", () => {
    expect(errorRateDifferenceLowerBound({ errors: 0, n: 0 }, { errors: 0, n: 10 })).toBe(-Infinity);
    const lb = errorRateDifferenceLowerBound({ errors: 120, n: 400 }, { errors: 4, n: 400 });
    // 0.30 − 0.01 − 2 · radius(400, 0.025)
    expect(lb).toBeCloseTo(0.29 - 2 * confidenceSequenceRadius(400, 0.025), 10);
    expect(lb).toBeGreaterThan(0.05);
  });
});
