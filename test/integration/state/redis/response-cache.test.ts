import { expect, it } from "vitest";
import type { CacheEntry } from "@/lib/gateway/response-cache";
import { RedisResponseCache } from "@/lib/state/redis/response-cache";
import { useRedis } from "@/test/helpers/redis-server";

const client = useRedis();

const T0 = 7_000_000;
const entry = (text: string): CacheEntry => ({
  answer: { events: [{ type: "delta", choice: 0, kind: "text", text }] } as unknown as CacheEntry["answer"],
  model: "m",
  promptTokens: 3,
  completionTokens: 4,
  costMicros: 12,
});
const bytes = (e: CacheEntry) => Buffer.byteLength(JSON.stringify(e));

it("an answer stored by one instance is served by another, to the same team only, until it expires", async () => {
  const a = new RedisResponseCache(client(), 1_000_000);
  const b = new RedisResponseCache(client(), 1_000_000);
  expect(await a.put("k1", "team-a", entry("hello"), T0 + 60_000, T0)).toBe(true);
  expect(await b.get("team-a", "k1", T0 + 1)).toEqual(entry("hello"));
  expect(await b.get("team-b", "k1", T0 + 1)).toBeNull();
  expect(await b.get("team-a", "k1", T0 + 60_000)).toBeNull();
  expect(await a.size()).toBe(0);
});

it("keeps stored bytes under the cap by dropping the least recently used", async () => {
  const one = bytes(entry("aaaa"));
  const cache = new RedisResponseCache(client(), one * 3);
  await cache.put("k1", "t", entry("aaaa"), T0 + 60_000, T0);
  await cache.put("k2", "t", entry("bbbb"), T0 + 60_000, T0 + 1);
  await cache.put("k3", "t", entry("cccc"), T0 + 60_000, T0 + 2);
  expect(await cache.get("t", "k1", T0 + 3)).not.toBeNull(); // k1 is now the most recent
  await cache.put("k4", "t", entry("dddd"), T0 + 60_000, T0 + 4);
  expect(await cache.get("t", "k2", T0 + 5)).toBeNull();
  for (const k of ["k1", "k3", "k4"]) expect(await cache.get("t", k, T0 + 5)).not.toBeNull();
  expect(await cache.size()).toBe(one * 3);

  // Replacing an entry counts its bytes once; one larger than the cap is not stored at all.
  await cache.put("k4", "t", entry("eeee"), T0 + 60_000, T0 + 6);
  expect(await cache.size()).toBe(one * 3);
  expect(await cache.put("big", "t", entry("x".repeat(one * 3)), T0 + 60_000, T0 + 7)).toBe(false);
});
