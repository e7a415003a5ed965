import { describe, expect, it } from "vitest";
import { formatAxisMs, formatTimeTick, niceTicks, timeTicks, truncateLabel } from "@/lib/client/chart-scale";

const evenlySpaced = (t: number[]) => t.every((v, i) => i < 2 || Math.abs(v - t[i - 1]! - (t[1]! - t[0]!)) < 1e-9);

describe("chart scales", () => {
  it("gives evenly spaced round ticks from 0", () => {
    expect(niceTicks(0.05)).toEqual([0, 0.02, 0.04, 0.06].map((x) => Number(x.toPrecision(12))));
    expect(niceTicks(0.03, { min: 0.05 })).toEqual(niceTicks(0.05));
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(3, { integer: true })).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, { integer: true })).toEqual([0, 1]);
    for (const max of [0.013, 0.07, 0.5, 7, 42, 999, 12_345]) expect(evenlySpaced(niceTicks(max)), String(max)).toBe(true);
  });

  it("puts time ticks on distinct whole minutes or hours", () => {
    const from = Date.UTC(2026, 0, 1, 10, 2, 30);
    for (const minutes of [5, 30, 180, 1440]) {
      const { ticks, stepMs } = timeTicks(from, from + minutes * 60_000);
      const labels = ticks.map((t) => formatTimeTick(t, stepMs));
      expect(new Set(labels).size, `${minutes} min`).toBe(labels.length);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("writes long latencies in seconds", () => {
    expect(formatAxisMs(850)).toBe("850 ms");
    expect(formatAxisMs(1200)).toBe("1.2 s");
    expect(formatAxisMs(1000)).toBe("1 s");
    expect(formatAxisMs(15_000)).toBe("15 s");
  });

  it("cuts long category labels with an ellipsis", () => {
    expect(truncateLabel("platform", 20)).toBe("platform");
    expect(truncateLabel("customer-success-emea-north", 20)).toBe("customer-success-em…");
    expect(truncateLabel("customer-success-emea-north", 20).length).toBe(20);
  });
});
