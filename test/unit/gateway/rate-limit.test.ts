import { describe, expect, it } from "vitest";
import {
  formatResetDuration,
  RateLimiter,
  retryAfterSeconds,
  TokenBucket,
  type LimitCheck,
} from "@/lib/gateway/rate-limit";

const T0 = 1_700_000_000_000;

const rpm = (key: string, limit: number): LimitCheck => ({ key, kind: "requests", limitPerMinute: limit, cost: 1 });
const tpm = (key: string, limit: number, cost: number): LimitCheck => ({ key, kind: "tokens", limitPerMinute: limit, cost });

describe("TokenBucket", () => {
  it("starts full and refills continuously", () => {
    const b = new TokenBucket(60, 60, T0);
    for (let i = 0; i < 60; i++) expect(b.take(1, T0)).toBe(true);
    expect(b.take(1, T0)).toBe(false);
    expect(b.available(T0 + 500)).toBe(0.5);
    expect(b.take(1, T0 + 500)).toBe(false);
    expect(b.msUntil(1, T0 + 500)).toBe(500);
    expect(b.take(1, T0 + 1000)).toBe(true);
    expect(b.available(T0 + 1000)).toBe(0);
  });

  it("never refills above capacity, and refund is clamped too", () => {
    const b = new TokenBucket(10, 600, T0);
    b.take(4, T0);
    expect(b.available(T0 + 60_000)).toBe(10);
    b.refund(5, T0 + 60_000);
    expect(b.available(T0 + 60_000)).toBe(10);
    b.take(10, T0 + 60_000);
    b.refund(3, T0 + 60_000);
    expect(b.available(T0 + 60_000)).toBe(3);
  });

  it("charge floors at empty", () => {
    const b = new TokenBucket(100, 100, T0);
    b.charge(150, T0);
    expect(b.available(T0)).toBe(0);
  });

  it("msUntil for more than the capacity is the time to a full bucket", () => {
    const b = new TokenBucket(100, 60, T0); // 1 token per second
    b.take(100, T0);
    expect(b.msUntil(500, T0)).toBe(100_000);
    expect(b.msUntilFull(T0 + 40_000)).toBe(60_000);
  });

  it("a clock stepping back mints nothing", () => {
    const b = new TokenBucket(60, 60, T0);
    b.take(60, T0);
    expect(b.available(T0 - 5000)).toBe(0);
    expect(b.available(T0 + 1000)).toBe(1);
  });

  it("setLimits applies at once, keeping the fill ratio", () => {
    const b = new TokenBucket(100, 100, T0);
    b.take(50, T0);
    b.setLimits(200, 200, T0);
    expect(b.available(T0)).toBe(100);
    expect(b.limit).toBe(200);
    // New refill rate: 200/min → 30 s brings 100 more.
    expect(b.available(T0 + 30_000)).toBe(200);
    b.setLimits(10, 10, T0 + 30_000);
    expect(b.available(T0 + 30_000)).toBe(10);
    b.take(10, T0 + 30_000);
    b.setLimits(1000, 1000, T0 + 30_000); // empty stays empty, refilling at the new rate
    expect(b.available(T0 + 30_000)).toBe(0);
    expect(b.available(T0 + 30_060)).toBe(1);
  });
});

describe("RateLimiter.admit", () => {
  it("takes from every bucket when all checks pass", () => {
    const rl = new RateLimiter();
    const r = rl.admit([rpm("team:a:rpm", 10), tpm("team:a:tpm", 1000, 300)], T0);
    expect(r.ok).toBe(true);
    expect(r.headers).toEqual({
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "9",
      "x-ratelimit-reset-requests": "6s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "700",
      "x-ratelimit-reset-tokens": "18s",
    });
  });

  it("is all-or-nothing: a failing check leaves every bucket untouched", () => {
    const rl = new RateLimiter();
    const checks = (cost: number) => [rpm("team:a:rpm", 100), rpm("key:k:rpm", 100), tpm("model:m:tpm", 1000, cost)];
    expect(rl.admit(checks(900), T0).ok).toBe(true);
    const denied = rl.admit(checks(200), T0);
    expect(denied.ok).toBe(false);
    if (denied.ok) return;
    expect(denied.failed.key).toBe("model:m:tpm");
    expect(denied.tooLarge).toBe(false);
    expect(denied.retryAfterMs).toBe(6000); // 100 missing tokens at 1000/min
    // Requests buckets were not charged for the refused request: 99 left, not 98.
    expect(denied.headers["x-ratelimit-remaining-requests"]).toBe("99");
    expect(denied.headers["x-ratelimit-remaining-tokens"]).toBe("100");
    expect(rl.admit(checks(100), T0).ok).toBe(true);
  });

  it("reports the longest wait across all failing checks", () => {
    const rl = new RateLimiter();
    rl.admit([rpm("a", 60), rpm("b", 6)], T0);
    for (let i = 0; i < 5; i++) rl.admit([rpm("b", 6)], T0);
    for (let i = 0; i < 59; i++) rl.admit([rpm("a", 60)], T0);
    const r = rl.admit([rpm("a", 60), rpm("b", 6)], T0);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failed.key).toBe("b");
    expect(r.retryAfterMs).toBe(10_000); // b refills 1 per 10 s, a 1 per s
    expect(retryAfterSeconds(r.retryAfterMs)).toBe(10);
  });

  it("flags a request larger than the limit itself, even on a full bucket", () => {
    const rl = new RateLimiter();
    const r = rl.admit([rpm("team:a:rpm", 10), tpm("team:a:tpm", 1000, 5000)], T0);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.tooLarge).toBe(true);
    expect(r.failed.key).toBe("team:a:tpm");
    expect(r.headers["x-ratelimit-remaining-requests"]).toBe("10");
  });

  it("skips unlimited (non-positive) checks and omits a trio with no check of its kind", () => {
    const rl = new RateLimiter();
    const r = rl.admit([rpm("team:a:rpm", 0), tpm("team:a:tpm", 600, 60)], T0);
    expect(r.ok).toBe(true);
    expect(Object.keys(r.headers).sort()).toEqual([
      "x-ratelimit-limit-tokens",
      "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-tokens",
    ]);
    expect(rl.admit([], T0)).toMatchObject({ ok: true, headers: {} });
  });

  it("headers describe the most constraining bucket relative to its limit", () => {
    const rl = new RateLimiter();
    for (let i = 0; i < 5; i++) rl.admit([rpm("team:a:rpm", 10)], T0); // 50 % left after this
    const r = rl.admit([rpm("global:rpm", 1000), rpm("team:a:rpm", 10)], T0);
    expect(r.headers["x-ratelimit-limit-requests"]).toBe("10");
    expect(r.headers["x-ratelimit-remaining-requests"]).toBe("4");
    expect(r.headers["x-ratelimit-reset-requests"]).toBe("36s");
  });

  it("a changed limit updates the stored bucket", () => {
    const rl = new RateLimiter();
    for (let i = 0; i < 2; i++) expect(rl.admit([rpm("key:k:rpm", 2)], T0).ok).toBe(true);
    expect(rl.admit([rpm("key:k:rpm", 2)], T0).ok).toBe(false);
    // Raised by an admin: the empty bucket refills at the new rate (120/min = 2 per s).
    expect(rl.admit([rpm("key:k:rpm", 120)], T0 + 500).ok).toBe(true);
    expect(rl.admit([rpm("key:k:rpm", 120)], T0 + 500).ok).toBe(false);
  });
});

describe("RateLimiter.adjust", () => {
  it("refunds an over-estimate to every TPM bucket of the grant", () => {
    const rl = new RateLimiter();
    const checks = [rpm("team:a:rpm", 100), tpm("team:a:tpm", 1000, 800), tpm("model:m:tpm", 2000, 800)];
    const r = rl.admit(checks, T0);
    if (!r.ok) throw new Error("denied");
    rl.adjust(r.grant, 300, T0);
    const after = rl.admit([tpm("team:a:tpm", 1000, 0), tpm("model:m:tpm", 2000, 0)], T0);
    expect(after.headers["x-ratelimit-remaining-tokens"]).toBe("700"); // team: 1000 − 300
    rl.adjust(r.grant, 0, T0); // only the first adjust counts
    expect(rl.admit([tpm("team:a:tpm", 1000, 0)], T0).headers["x-ratelimit-remaining-tokens"]).toBe("700");
  });

  it("charges an under-estimate, flooring at empty", () => {
    const rl = new RateLimiter();
    const r = rl.admit([tpm("team:a:tpm", 1000, 600)], T0);
    if (!r.ok) throw new Error("denied");
    rl.adjust(r.grant, 900, T0);
    expect(rl.admit([tpm("team:a:tpm", 1000, 0)], T0).headers["x-ratelimit-remaining-tokens"]).toBe("100");
    const r2 = rl.admit([tpm("team:a:tpm", 1000, 100)], T0);
    if (!r2.ok) throw new Error("denied");
    rl.adjust(r2.grant, 5000, T0);
    const denied = rl.admit([tpm("team:a:tpm", 1000, 1)], T0);
    expect(denied.ok).toBe(false);
    if (!denied.ok) expect(denied.retryAfterMs).toBe(60); // empty, not in debt: 1 token at 1000/min
  });
});

describe("RateLimiter memory", () => {
  it("drops buckets that are full and idle, keeps busy ones", () => {
    const rl = new RateLimiter({ idleMs: 10 * 60_000 });
    for (let i = 0; i < 100; i++) rl.admit([rpm(`key:${i}:rpm`, 60)], T0);
    rl.admit([rpm("key:hot:rpm", 6)], T0);
    expect(rl.size).toBe(101);
    expect(rl.sweep(T0 + 5 * 60_000)).toBe(0); // full but not idle long enough
    rl.admit([rpm("key:hot:rpm", 6)], T0 + 9 * 60_000);
    expect(rl.sweep(T0 + 10 * 60_000)).toBe(100);
    expect(rl.size).toBe(1);
  });

  it("admit evicts idle buckets incrementally, without a full sweep", () => {
    const rl = new RateLimiter({ idleMs: 60_000 });
    for (let i = 0; i < 400; i++) rl.admit([rpm(`key:${i}:rpm`, 60)], T0);
    for (let i = 0; i < 200; i++) rl.admit([rpm("global:rpm", 1_000_000)], T0 + 120_000);
    expect(rl.size).toBe(1);
  });
});

describe("formatResetDuration", () => {
  it("uses OpenAI's duration format", () => {
    expect(formatResetDuration(0)).toBe("0s");
    expect(formatResetDuration(12)).toBe("12ms");
    expect(formatResetDuration(500)).toBe("500ms");
    expect(formatResetDuration(999.2)).toBe("1s");
    expect(formatResetDuration(1000)).toBe("1s");
    expect(formatResetDuration(1500)).toBe("1.5s");
    expect(formatResetDuration(59_980)).toBe("59.98s");
    expect(formatResetDuration(90_500)).toBe("1m30.5s");
    expect(formatResetDuration(360_000)).toBe("6m0s");
    expect(formatResetDuration(61_005)).toBe("1m1.005s");
    expect(formatResetDuration(3_600_000)).toBe("1h0m0s");
  });

  it("retryAfterSeconds rounds up to at least 1", () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});
