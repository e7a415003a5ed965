import { once } from "node:events";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { BudgetTeam } from "@/lib/gateway/budget";
import type { LimitCheck } from "@/lib/gateway/rate-limit";
import { openRedisState, StateUnavailableError, type RedisState, type StateEvent } from "@/lib/state/redis";
import { startRedis, type TestRedis } from "@/test/helpers/redis-server";

let server: TestRedis;
const opened: RedisState[] = [];
beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await server.start();
  server.resume();
});
afterAll(async () => {
  await server.close();
});

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
const uncapped: BudgetTeam = { id: "t-free", dailyBudgetMicros: null, monthlyBudgetMicros: null, alertThresholdPct: 0 };
const capped: BudgetTeam = { id: "t-capped", dailyBudgetMicros: 10_000, monthlyBudgetMicros: null, alertThresholdPct: 0 };
const rpm = (limit: number): LimitCheck => ({ key: "team:t:rpm", kind: "requests", limitPerMinute: limit, cost: 1 });

let prefixes = 0;
afterEach(() => {
  prefixes++;
});

async function open(mode: "refuse" | "local", events: StateEvent[] = [], commandTimeout = 2_000): Promise<RedisState> {
  const state = await openRedisState({
    url: server.url,
    onUnavailable: mode,
    prefix: `p${prefixes}:`,
    loadSpend: () => 0,
    onEvent: (e) => events.push(e),
    redis: { commandTimeout },
  });
  opened.push(state);
  return state;
}

const ready = (s: RedisState) => (s.redis.status === "ready" ? Promise.resolve() : once(s.redis, "ready").then(() => undefined));

it("refuse: while Redis is down every admission is a 503 with a retry hint; after it restarts, state is shared again", async () => {
  const events: StateEvent[] = [];
  const a = await open("refuse", events);
  const b = await open("refuse");
  expect((await a.admission.admit([rpm(2)], { team: uncapped, amountMicros: 5 }, T0)).ok).toBe(true);

  await server.stop();
  for (let i = 0; i < 3; i++) {
    const err = await a.admission.admit([rpm(2)], null, T0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateUnavailableError);
    expect((err as StateUnavailableError).status).toBe(503);
    expect(Number((err as StateUnavailableError).headers["retry-after"])).toBeGreaterThanOrEqual(1);
  }
  await expect(a.breakers.acquire("m", T0)).rejects.toBeInstanceOf(StateUnavailableError);
  // A cache or a lease never refuses on its own: a miss, and nobody leads.
  expect(await a.cache.get("t", "k", T0)).toBeNull();
  expect((await a.leases.acquire("route:r", T0)).held).toBe(false);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable"]);

  await server.start();
  await Promise.all([ready(a), ready(b)]);
  // The restarted Redis kept nothing (no persistence here); from now both instances share again.
  expect((await a.admission.admit([rpm(2)], null, T0 + 1)).ok).toBe(true);
  expect((await b.admission.admit([rpm(2)], null, T0 + 1)).ok).toBe(true);
  expect((await a.admission.admit([rpm(2)], null, T0 + 1)).ok).toBe(false);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable", "redis_recovered"]);
});

it("local: while Redis is down this instance limits on its own and refuses only capped budgets; one event per outage", async () => {
  const events: StateEvent[] = [];
  const a = await open("local", events);
  await server.stop();

  const results = [];
  for (let i = 0; i < 3; i++) results.push(await a.admission.admit([rpm(2)], { team: uncapped, amountMicros: 5 }, T0));
  expect(results.map((r) => r.ok)).toEqual([true, true, false]);
  const first = results[0]!;
  if (first.ok) {
    await a.admission.adjust(first.grant, 1, T0);
    expect(await a.admission.settle(first.grant, uncapped, 5)).toEqual([]);
  }
  // No instance can know what the others spent, so a capped team is not let through.
  await expect(a.admission.admit([], { team: capped, amountMicros: 5 }, T0)).rejects.toBeInstanceOf(StateUnavailableError);
  expect((await a.breakers.acquire("m", T0)).allowed).toBe(true);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable"]);

  await server.start();
  await ready(a);
  const b = await open("local");
  expect((await a.admission.admit([rpm(1)], { team: capped, amountMicros: 5 }, T0 + 1)).ok).toBe(true);
  expect((await b.admission.admit([rpm(1)], null, T0 + 1)).ok).toBe(false);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable", "redis_recovered"]);
});

it("a settle that could not reach a frozen Redis is replayed when it answers again", async () => {
  const events: StateEvent[] = [];
  const a = await open("local", events, 300);
  const held = await a.admission.admit([], { team: capped, amountMicros: 4_000 }, T0);
  if (!held.ok) throw new Error("expected a hold");

  server.pause();
  expect(await a.admission.settle(held.grant, capped, 3_210)).toEqual([]);
  expect(a.admission.backlog).toBe(1);
  server.resume();

  // The next call that reaches Redis ends the outage and replays the settle.
  await expect.poll(async () => {
    await a.admission.admit([rpm(1000)], null, T0).catch(() => undefined);
    return a.admission.backlog;
  }, { timeout: 20_000 }).toBe(0);
  const snap = await a.admission.admit([], { team: capped, amountMicros: 10_000 - 3_210 + 1 }, T0);
  expect(snap.ok).toBe(false);
  if (!snap.ok && snap.reason === "budget") expect([snap.spentMicros, snap.reservedMicros]).toEqual([3_210, 0]);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable", "redis_recovered"]);
});

it("an error Redis itself answers is a fault to surface, not an outage", async () => {
  const events: StateEvent[] = [];
  const a = await open("local", events);
  await a.redis.set(`p${prefixes}:rl:team:t:rpm`, "not a bucket");
  const err = await a.admission.admit([rpm(5)], null, T0).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(StateUnavailableError);
  expect(String(err)).toMatch(/WRONGTYPE/);
  expect(events).toEqual([]);
});

it("local: an instance started while Redis is down works alone, then joins the shared state once Redis is up", async () => {
  await server.stop();
  const events: StateEvent[] = [];
  const a = await open("local", events);
  expect((await a.admission.admit([rpm(1)], null, T0)).ok).toBe(true);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable"]);

  await server.start();
  await ready(a);
  const b = await open("local");
  expect((await b.admission.admit([rpm(1)], null, T0)).ok).toBe(true);
  expect((await a.admission.admit([rpm(1)], null, T0)).ok).toBe(false);
  expect(events.map((e) => e.type)).toEqual(["redis_unavailable", "redis_recovered"]);

  // Its subscriber joined late too: a revocation from b reaches it.
  const heard = new Promise<string>((resolve) => a.revocations.onRevoked(resolve));
  await expect.poll(async () => {
    await b.revocations.revoke("key_late");
    return Promise.race([heard, new Promise((r) => setTimeout(r, 200, null))]);
  }, { timeout: 20_000 }).toBe("key_late");
});
