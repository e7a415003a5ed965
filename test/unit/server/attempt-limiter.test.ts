import { describe, expect, it } from "vitest";
import { createAttemptLimiter } from "@/lib/server/attempt-limiter";

function limiter(max = 3, windowMs = 60_000, maxKeys?: number) {
  let now = 1_000_000;
  const l = createAttemptLimiter({ max, windowMs, now: () => now, maxKeys });
  return { l, advance: (ms: number) => (now += ms) };
}

describe("attempt limiter", () => {
  it("allows max attempts per key in a window, then says how long until the window ends", () => {
    const { l, advance } = limiter(3, 60_000);
    for (let i = 0; i < 3; i++) expect(l.take("a@x").ok).toBe(true);
    advance(10_500);
    expect(l.take("a@x")).toEqual({ ok: false, retryAfterSeconds: 50 });
    // Another key is counted on its own.
    expect(l.take("b@x").ok).toBe(true);
  });

  it("refused attempts do not push the end of the window back", () => {
    const { l, advance } = limiter(1, 10_000);
    l.take("a@x");
    for (let i = 0; i < 5; i++) {
      advance(1_000);
      expect(l.take("a@x").ok).toBe(false);
    }
    advance(5_000);
    expect(l.take("a@x").ok).toBe(true);
  });

  it("a released attempt gives its slot back, once, and only in its own window", () => {
    const { l, advance } = limiter(1, 10_000);
    const first = l.take("a@x");
    if (!first.ok) throw new Error("first attempt refused");
    // Taken but not finished: a parallel attempt has to wait.
    expect(l.take("a@x").ok).toBe(false);
    first.release();
    first.release();
    const second = l.take("a@x");
    expect(second.ok).toBe(true);
    expect(l.take("a@x").ok).toBe(false);
    advance(10_000);
    const third = l.take("a@x");
    // A release from the old window does not free a slot in the new one.
    if (second.ok) second.release();
    expect(third.ok).toBe(true);
    expect(l.take("a@x").ok).toBe(false);
  });

  it("keeps at most maxKeys keys, dropping expired windows first, then the oldest", () => {
    const { l, advance } = limiter(1, 10_000, 3);
    l.take("old");
    advance(10_000);
    l.take("a");
    l.take("b");
    l.take("c"); // "old" has expired and goes first
    expect(l.take("a").ok).toBe(false);
    l.take("d"); // full of live windows: the oldest, "a", goes
    expect(l.take("a").ok).toBe(true);
    expect(l.take("d").ok).toBe(false);
  });
});
