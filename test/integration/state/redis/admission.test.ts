import { describe, expect, it } from "vitest";
import type { BudgetTeam } from "@/lib/gateway/budget";
import { TokenBucket, type LimitCheck } from "@/lib/gateway/rate-limit";
import { RedisAdmission } from "@/lib/state/redis/admission";
import { useRedis } from "@/test/helpers/redis-server";

const client = useRedis();

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
const team = (over: Partial<BudgetTeam> = {}): BudgetTeam => ({
  id: "t1",
  dailyBudgetMicros: null,
  monthlyBudgetMicros: null,
  alertThresholdPct: 0,
  ...over,
});
const rpm = (key: string, limit: number): LimitCheck => ({ key, kind: "requests", limitPerMinute: limit, cost: 1 });
const tpm = (key: string, limit: number, cost: number): LimitCheck => ({ key, kind: "tokens", limitPerMinute: limit, cost });

describe("shared rate limits", () => {
  it("admits exactly the RPM limit within a window across instances, then refills continuously", async () => {
    const instances = [0, 1, 2, 3].map(() => new RedisAdmission(client(), { loadSpend: () => 0 }));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => instances[i % 4]!.admit([rpm("team:t1:rpm", 10)], null, T0)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const refused = results.find((r) => !r.ok)!;
    expect(refused.ok === false && refused.reason === "rate_limit" && refused.retryAfterMs).toBeGreaterThan(0);

    // 10 per minute refills one every 6 s: just before it, still refused; at it, one more.
    expect((await instances[0]!.admit([rpm("team:t1:rpm", 10)], null, T0 + 5_999)).ok).toBe(false);
    const r = await instances[1]!.admit([rpm("team:t1:rpm", 10)], null, T0 + 6_000);
    expect(r.ok).toBe(true);
    expect((await instances[2]!.admit([rpm("team:t1:rpm", 10)], null, T0 + 6_001)).ok).toBe(false);
  });

  it("matches the in-memory bucket's arithmetic, headers and Retry-After", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    const bucket = new TokenBucket(1000, 1000, T0);
    const steps: [number, number][] = [[0, 700], [10, 250], [20, 100], [5_000, 100], [7_000, 40], [61_000, 1000]];
    for (const [dt, cost] of steps) {
      const now = T0 + dt;
      const expectedWait = bucket.msUntil(cost, now);
      const ok = bucket.take(cost, now);
      const res = await a.admit([tpm("team:t1:tpm", 1000, cost)], null, now);
      expect(res.ok).toBe(ok);
      if (!res.ok && res.reason === "rate_limit") expect(res.retryAfterMs).toBe(expectedWait);
      const headers = res.ok || res.reason === "rate_limit" ? res.headers : {};
      expect(headers["x-ratelimit-remaining-tokens"]).toBe(String(Math.floor(bucket.available(now))));
    }
  });

  it("takes all or none: a refusal by one limit leaves the others untouched, and names the one that can never pass", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    const res = await a.admit([rpm("team:t1:rpm", 5), tpm("model:m:tpm", 100, 150)], null, T0);
    expect(res.ok).toBe(false);
    if (res.ok || res.reason !== "rate_limit") throw new Error("expected a rate-limit refusal");
    expect(res.tooLarge).toBe(true);
    expect(res.failed.key).toBe("model:m:tpm");
    const ok = await a.admit([rpm("team:t1:rpm", 5)], null, T0);
    expect(ok.ok && ok.headers["x-ratelimit-remaining-requests"]).toBe("4");
  });

  it("adjust refunds an over-estimate and charges an under-estimate, once", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    const res = await a.admit([tpm("team:t1:tpm", 1000, 600)], null, T0);
    if (!res.ok) throw new Error("expected admission");
    await a.adjust(res.grant, 100, T0);
    await a.adjust(res.grant, 0, T0);
    const next = await a.admit([tpm("team:t1:tpm", 1000, 900)], null, T0);
    expect(next.ok).toBe(true);
    if (!next.ok) return;
    await a.adjust(next.grant, 2_000, T0);
    const after = await a.admit([tpm("team:t1:tpm", 1000, 1)], null, T0);
    expect(after.ok).toBe(false);
  });

  it("a lowered limit keeps the fill ratio, as the in-memory bucket does", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    for (let i = 0; i < 5; i++) await a.admit([rpm("key:k:rpm", 10)], null, T0);
    const res = await a.admit([rpm("key:k:rpm", 4)], null, T0);
    expect(res.ok && res.headers["x-ratelimit-remaining-requests"]).toBe("1");
  });
});

describe("shared budgets", () => {
  it("many concurrent admissions from several clients never reserve more than the cap", async () => {
    let loads = 0;
    const loadSpend = async () => {
      loads++;
      return 100;
    };
    const instances = Array.from({ length: 6 }, () => new RedisAdmission(client(), { loadSpend }));
    const capped = team({ dailyBudgetMicros: 10_000, monthlyBudgetMicros: 1_000_000 });
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => instances[i % 6]!.admit([rpm("team:t1:rpm", 1000)], { team: capped, amountMicros: 333 }, T0)),
    );
    const admitted = results.filter((r) => r.ok);
    // (10 000 - 100 settled) / 333 = 29 holds fit, and never one more.
    expect(admitted).toHaveLength(29);
    const over = results.find((r) => !r.ok);
    expect(over && !over.ok && over.reason === "budget" && over.period).toBe("day");
    const snap = await instances[0]!.snapshot(capped, T0 + 1_000);
    expect(snap.day.spentMicros + snap.day.reservedMicros).toBeLessThanOrEqual(10_000);
    expect(snap.day.reservedMicros).toBe(29 * 333);
    expect(loads).toBeGreaterThanOrEqual(2);

    // A refused budget takes no rate-limit token either: 1000 - 29 requests remain.
    const probe = await instances[1]!.admit([rpm("team:t1:rpm", 1000)], null, T0);
    expect(probe.ok && Number(probe.headers["x-ratelimit-remaining-requests"])).toBe(1000 - 29 - 1);
  });

  it("settle replaces the hold with the exact actual cost; release frees it; both only once", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    const capped = team({ dailyBudgetMicros: 1_000, monthlyBudgetMicros: 5_000, alertThresholdPct: 80 });
    const r1 = await a.admit([], { team: capped, amountMicros: 600 }, T0);
    const r2 = await a.admit([], { team: capped, amountMicros: 300 }, T0);
    if (!r1.ok || !r2.ok) throw new Error("expected both holds");
    expect((await a.admit([], { team: capped, amountMicros: 101 }, T0)).ok).toBe(false);

    const alerts = await a.settle(r1.grant, capped, 823);
    expect(alerts.map((x) => [x.period, x.spentMicros])).toEqual([["day", 823]]);
    expect(await a.settle(r1.grant, capped, 823)).toEqual([]);
    await a.release(r2.grant);
    await a.release(r2.grant);
    const snap = await a.snapshot(capped, T0);
    expect(snap.day).toMatchObject({ spentMicros: 823, reservedMicros: 0, alerted: true });
    expect(snap.month).toMatchObject({ spentMicros: 823, reservedMicros: 0, alerted: false });
    expect((await a.admit([], { team: capped, amountMicros: 177 }, T0)).ok).toBe(true);
    expect((await a.admit([], { team: capped, amountMicros: 1 }, T0)).ok).toBe(false);
  });

  it("a hold never settled is booked as spent in full after its time, and a late settle corrects it to the real cost", async () => {
    const crashed = new RedisAdmission(client(), { loadSpend: () => 0, holdTtlMs: 60_000 });
    const alive = new RedisAdmission(client(), { loadSpend: () => 0, holdTtlMs: 60_000 });
    const capped = team({ dailyBudgetMicros: 1_000 });
    const held = await crashed.admit([], { team: capped, amountMicros: 600 }, T0);
    if (!held.ok) throw new Error("expected a hold");
    expect((await alive.admit([], { team: capped, amountMicros: 401 }, T0 + 59_999)).ok).toBe(false);
    // Expired: the crashed request may have spent all of its hold, so the cap counts it as spent.
    expect((await alive.snapshot(capped, T0 + 60_000)).day).toMatchObject({ spentMicros: 600, reservedMicros: 0 });
    expect((await alive.admit([], { team: capped, amountMicros: 401 }, T0 + 60_000)).ok).toBe(false);
    const next = await alive.admit([], { team: capped, amountMicros: 400 }, T0 + 60_000);
    expect(next.ok).toBe(true);

    // The settle arrives after all: the booking becomes the real cost, once.
    await crashed.settle(held.grant, capped, 250);
    await crashed.settle(held.grant, capped, 250);
    expect((await alive.snapshot(capped, T0 + 60_000)).day).toMatchObject({ spentMicros: 250, reservedMicros: 400 });
  });

  it("a hold settles into the day it was made in, after midnight", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 0 });
    const capped = team({ dailyBudgetMicros: 1_000 });
    const late = Date.UTC(2026, 11, 6, 23, 59, 59);
    const r = await a.admit([], { team: capped, amountMicros: 900 }, late);
    if (!r.ok) throw new Error("expected a hold");
    const next = late + 2_000;
    expect((await a.admit([], { team: capped, amountMicros: 1_000 }, next)).ok).toBe(true);
    await a.settle(r.grant, capped, 900);
    expect((await a.snapshot(capped, late)).day.spentMicros).toBe(900);
    expect((await a.snapshot(capped, next)).day).toMatchObject({ spentMicros: 0, reservedMicros: 1_000 });
  });

  it("reports the period's reset as the retry time", async () => {
    const a = new RedisAdmission(client(), { loadSpend: () => 5_000 });
    const res = await a.admit([], { team: team({ monthlyBudgetMicros: 5_000, dailyBudgetMicros: 1 }), amountMicros: 1 }, T0);
    expect(res.ok).toBe(false);
    if (res.ok || res.reason !== "budget") return;
    expect(res.period).toBe("month");
    expect(res.resetsAt).toBe(Date.UTC(2027, 0, 1));
    expect(res.retryAfterSeconds).toBe(Math.ceil((Date.UTC(2027, 0, 1) - T0) / 1000));
  });
});
