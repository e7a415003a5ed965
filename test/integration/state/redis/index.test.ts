import { afterAll, beforeAll, expect, it } from "vitest";
import type { CacheEntry } from "@/lib/gateway/response-cache";
import { openRedisState, type RedisState } from "@/lib/state/redis";
import { startRedis, type TestRedis } from "@/test/helpers/redis-server";

let server: TestRedis;
let a: RedisState;
let b: RedisState;
beforeAll(async () => {
  server = await startRedis();
  const open = (id: string) =>
    openRedisState({ url: server.url, onUnavailable: "refuse", instanceId: id, loadSpend: () => 0, breaker: { minimumRequests: 2 } });
  [a, b] = await Promise.all([open("a"), open("b")]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await server.close();
});

const T0 = 3_000_000;

it("two instances opened on one Redis share every part of the state", async () => {
  const revoked = new Promise<string>((resolve) => b.revocations.onRevoked(resolve));
  await a.revocations.revoke("key_9");
  expect(await revoked).toBe("key_9");
  expect(await b.revocations.isRevoked("key_9", T0)).toBe(true);

  expect((await a.leases.acquire("route:r1", T0)).held).toBe(true);
  expect(await b.leases.acquire("route:r1", T0)).toMatchObject({ held: false, holder: "a" });

  const entry = { answer: {}, model: "m", promptTokens: 1, completionTokens: 1, costMicros: 1 } as unknown as CacheEntry;
  await a.cache.put("k", "t1", entry, T0 + 1_000, T0);
  expect(await b.cache.get("t1", "k", T0 + 1)).toEqual(entry);

  await a.breakers.record("m1", false, T0, false);
  await b.breakers.record("m1", false, T0, false);
  expect(await a.breakers.isOpen("m1", T0 + 1)).toBe(true);
});
