import { expect, it } from "vitest";
import { RedisLeases } from "@/lib/state/redis/lease";
import { useRedis } from "@/test/helpers/redis-server";

const client = useRedis();

const T0 = 5_000_000;

it("exactly one of many instances racing for a route's lease gets it", async () => {
  const instances = Array.from({ length: 8 }, (_, i) => new RedisLeases(client(), `i${i}`, { ttlMs: 10_000 }));
  const results = await Promise.all(instances.map((l) => l.acquire("route:r1", T0)));
  const winners = results.filter((r) => r.held);
  expect(winners).toHaveLength(1);
  expect(new Set(results.map((r) => r.holder))).toEqual(new Set([winners[0]!.holder]));
  // Other routes have their own leases.
  expect((await instances[3]!.acquire("route:r2", T0)).held).toBe(true);
});

it("the holder renews inside its term; when it stops, another takes over with a new token", async () => {
  const a = new RedisLeases(client(), "a", { ttlMs: 10_000 });
  const b = new RedisLeases(client(), "b", { ttlMs: 10_000 });
  const first = await a.acquire("route:r1", T0);
  expect(first).toMatchObject({ held: true, holder: "a", expiresAt: T0 + 10_000 });
  expect((await a.renew("route:r1", T0 + 6_000)).expiresAt).toBe(T0 + 16_000);
  expect((await b.acquire("route:r1", T0 + 15_999)).held).toBe(false);
  expect(await b.holder("route:r1", T0 + 15_999)).toBe("a");

  // a stops renewing: at the end of its term the lease is b's, and a learns it has lost it.
  const taken = await b.acquire("route:r1", T0 + 16_000);
  expect(taken).toMatchObject({ held: true, holder: "b" });
  expect(taken.token).toBeGreaterThan(first.token!);
  expect(await a.renew("route:r1", T0 + 16_001)).toMatchObject({ held: false, holder: "b" });
});

it("release frees it only for its holder", async () => {
  const a = new RedisLeases(client(), "a");
  const b = new RedisLeases(client(), "b");
  await a.acquire("route:r1", T0);
  expect(await b.release("route:r1")).toBe(false);
  expect(await a.release("route:r1")).toBe(true);
  expect((await b.acquire("route:r1", T0 + 1)).held).toBe(true);
});
