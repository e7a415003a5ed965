import { expect, it } from "vitest";
import type { BreakerTransition } from "@/lib/gateway/circuit-breaker";
import { RedisCircuitBreakers } from "@/lib/state/redis/circuit-breaker";
import { useRedis } from "@/test/helpers/redis-server";

const client = useRedis();

const OPTS = { windowMs: 10_000, failureRateThreshold: 0.5, minimumRequests: 4, openMs: 5_000, halfOpenProbes: 2 };
const T0 = 1_000_000;

it("failures seen by two instances open the breaker for both, then probes close it", async () => {
  const seen: BreakerTransition[] = [];
  const a = new RedisCircuitBreakers(client(), { ...OPTS, onTransition: (t) => seen.push(t) });
  const b = new RedisCircuitBreakers(client(), { ...OPTS, onTransition: (t) => seen.push(t) });
  expect(await a.acquire("m1", T0)).toMatchObject({ allowed: true, state: "closed" });
  await a.record("m1", true, T0, false);
  await b.record("m1", false, T0 + 1, false);
  await a.record("m1", false, T0 + 2, false);
  expect((await b.state("m1", T0 + 3)).state).toBe("closed");
  await b.record("m1", true, T0 + 3, false); // 4 requests, 2 failures: 50 % reaches the threshold
  expect(seen).toEqual([{ key: "m1", from: "closed", to: "open", at: T0 + 3, requests: 4, failureRate: 0.5 }]);

  expect(await a.isOpen("m1", T0 + 4_999)).toBe(true);
  expect(await a.acquire("m1", T0 + 4_999)).toMatchObject({ allowed: false, state: "open" });
  // After the cool-down, the first look half-opens it; only two probes in flight across instances.
  expect(await a.acquire("m1", T0 + 5_003)).toMatchObject({ allowed: true, probe: true });
  expect(await b.acquire("m1", T0 + 5_004)).toMatchObject({ allowed: true, probe: true });
  expect(await b.acquire("m1", T0 + 5_005)).toMatchObject({ allowed: false, state: "half_open" });
  await a.record("m1", true, T0 + 5_100, true);
  await b.record("m1", true, T0 + 5_200, true);
  const snap = await a.state("m1", T0 + 5_300);
  expect(snap).toMatchObject({ state: "closed", requests: 0, failures: 0, openedAt: null });
  expect(seen.map((t) => t.to)).toEqual(["open", "half_open", "closed"]);
});

it("a failed probe reopens it; late non-probe results while open are ignored", async () => {
  const a = new RedisCircuitBreakers(client(), OPTS);
  for (let i = 0; i < 4; i++) await a.record("m2", false, T0 + i, false);
  expect((await a.state("m2", T0 + 10)).state).toBe("open");
  await a.record("m2", true, T0 + 11, false);
  expect(await a.acquire("m2", T0 + 5_010)).toMatchObject({ probe: true });
  await a.record("m2", false, T0 + 5_020, true);
  const snap = await a.state("m2", T0 + 5_021);
  expect(snap).toMatchObject({ state: "open", openedAt: T0 + 5_020, nextProbeAt: T0 + 10_020 });
});

it("old results age out of the rolling window; a lost probe frees its slot after the cool-down", async () => {
  const a = new RedisCircuitBreakers(client(), OPTS);
  for (let i = 0; i < 3; i++) await a.record("m3", false, T0 + i, false);
  await a.record("m3", false, T0 + 20_000, false); // the first three are out of the window
  expect(await a.state("m3", T0 + 20_001)).toMatchObject({ state: "closed", requests: 1, failures: 1 });

  for (let i = 0; i < 3; i++) await a.record("m3", false, T0 + 20_002 + i, false);
  expect(await a.acquire("m3", T0 + 25_010)).toMatchObject({ probe: true });
  expect(await a.acquire("m3", T0 + 25_011)).toMatchObject({ probe: true });
  expect(await a.acquire("m3", T0 + 25_012)).toMatchObject({ allowed: false });
  expect(await a.acquire("m3", T0 + 30_011)).toMatchObject({ probe: true });
  await a.forget("m3");
  expect((await a.state("m3", T0 + 30_012)).state).toBe("closed");
});
