import { describe, expect, it } from "vitest";
import { backoffDelay, isRetryableStatus, nextRetryDelay, parseRetryAfter } from "@/lib/gateway/retry-policy";

const NOW = Date.parse("2025-05-01T12:00:00Z");
const h = (init: Record<string, string>) => new Headers(init);

describe("isRetryableStatus", () => {
  it("retries timeouts, conflicts, 429 and 5xx only", () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504, 529]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [200, 400, 401, 403, 404, 413, 422]) expect(isRetryableStatus(s)).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  it("prefers retry-after-ms, which may be fractional", () => {
    expect(parseRetryAfter(h({ "retry-after-ms": "1500.5", "retry-after": "9" }), NOW)).toBe(1500.5);
  });

  it("falls back to retry-after when retry-after-ms is garbage", () => {
    expect(parseRetryAfter(h({ "retry-after-ms": "soon", "retry-after": "2" }), NOW)).toBe(2000);
  });

  it("reads delta-seconds, whole and fractional", () => {
    expect(parseRetryAfter(h({ "retry-after": "3" }), NOW)).toBe(3000);
    expect(parseRetryAfter(h({ "retry-after": "0.25" }), NOW)).toBe(250);
    expect(parseRetryAfter(h({ "retry-after": "0" }), NOW)).toBe(0);
  });

  it("reads an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter(h({ "retry-after": "Thu, 01 May 2025 12:00:30 GMT" }), NOW)).toBe(30_000);
    expect(parseRetryAfter(h({ "retry-after": "Thu, 01 May 2025 11:00:00 GMT" }), NOW)).toBe(0);
  });

  it("returns null for garbage or absence", () => {
    for (const v of ["soon", "-5", "1e3", "12abc", "", "Thu, 99 Foo 2025 12:00:30 GMT"]) {
      expect(parseRetryAfter(h({ "retry-after": v }), NOW)).toBeNull();
    }
    expect(parseRetryAfter(h({ "retry-after": "2001" }), NOW)).toBe(2_001_000); // digits are seconds, not a year
    expect(parseRetryAfter(h({ "retry-after": "tomorrow 10:00:00" }), NOW)).toBeNull();
    expect(parseRetryAfter(h({ "retry-after-ms": "-1" }), NOW)).toBeNull();
    expect(parseRetryAfter(h({}), NOW)).toBeNull();
  });
});

describe("backoffDelay", () => {
  it("is full jitter: random × min(max, base·2^(attempt-1))", () => {
    expect(backoffDelay(1, () => 0.5)).toBe(125);
    expect(backoffDelay(3, () => 0.5)).toBe(500); // ceiling 1000
    expect(backoffDelay(10, () => 0.5)).toBe(4000); // ceiling capped at 8000
    expect(backoffDelay(100, () => 0.999)).toBeCloseTo(7992);
    expect(backoffDelay(2, () => 0, { baseMs: 100, maxMs: 1000 })).toBe(0);
  });

  it("stays within [0, ceiling) for many draws", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(8000, 250 * 2 ** (attempt - 1));
      for (let i = 0; i < 500; i++) {
        const d = backoffDelay(attempt, random);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
      }
    }
  });
});

describe("nextRetryDelay", () => {
  it("uses the upstream's value exactly, even when long", () => {
    const d = nextRetryDelay({ attempt: 1, headers: h({ "retry-after": "120" }), now: NOW, random: () => 0.5 });
    expect(d).toEqual({ delayMs: 120_000, source: "retry-after" });
  });

  it("backs off when the upstream gave no hint", () => {
    expect(nextRetryDelay({ attempt: 2, headers: h({}), now: NOW, random: () => 0.5 })).toEqual({
      delayMs: 250,
      source: "backoff",
    });
    expect(nextRetryDelay({ attempt: 1, headers: null, now: NOW, random: () => 1 - 1e-9 }).source).toBe("backoff");
  });
});
