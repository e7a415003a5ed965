/** The response-cache queries on SQLite and Postgres: the same cases, the same answers. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResponseCacheRow } from "@/db/schema";
import { dialects, openBoth } from "../../helpers/query-dialects";

let both: { close(): Promise<void> };
beforeAll(async () => {
  both = await openBoth();
});
afterAll(async () => {
  await both?.close();
});

const entry = (key: string, over: Partial<ResponseCacheRow> = {}): ResponseCacheRow => ({
  key,
  teamId: "team-1",
  model: "gpt-a",
  answer: JSON.stringify({ text: `answer ${key} ✓` }),
  promptTokens: 12,
  completionTokens: 34,
  costMicros: 5_000_000_000_123,
  sizeBytes: 100,
  createdAt: 1_000,
  expiresAt: 10_000,
  lastHitAt: 1_000,
  ...over,
});

describe.each(dialects)("response cache queries on $name", ({ cache }) => {
  it("a live entry comes back as written and is stamped; the stamp shows on the next take", async () => {
    const row = entry("live");
    await cache.putCacheEntry(row);
    expect(await cache.takeCacheEntry({ key: row.key, now: 2_000 })).toEqual(row);
    expect(await cache.takeCacheEntry({ key: row.key, now: 3_000 })).toEqual({ ...row, lastHitAt: 2_000 });
  });

  it("an expired entry is a miss, from the instant it expires, and is not stamped", async () => {
    const row = entry("expired", { expiresAt: 5_000 });
    await cache.putCacheEntry(row);
    expect(await cache.takeCacheEntry({ key: row.key, now: 5_000 })).toBeUndefined();
    expect(await cache.takeCacheEntry({ key: row.key, now: 4_999 })).toEqual(row);
    expect(await cache.takeCacheEntry({ key: "absent", now: 0 })).toBeUndefined();
  });

  it("putting a key again replaces every field of the entry", async () => {
    await cache.putCacheEntry(entry("again"));
    const replaced = entry("again", { teamId: "team-2", model: "Model-B", answer: "{}", promptTokens: 1, completionTokens: 2, costMicros: 3, sizeBytes: 4, createdAt: 5, expiresAt: 60_000, lastHitAt: 7 });
    await cache.putCacheEntry(replaced);
    expect(await cache.takeCacheEntry({ key: "again", now: 8 })).toEqual(replaced);
  });

  it("eviction drops the expired entries, then the least recently used until the rest fit, and returns the bytes left", async () => {
    await cache.evictCacheEntries({ now: 0, maxBytes: 0 });
    expect(await cache.cacheBytes()).toBe(0);
    await cache.putCacheEntry(entry("old", { sizeBytes: 100, lastHitAt: 1 }));
    await cache.putCacheEntry(entry("mid", { sizeBytes: 200, lastHitAt: 2 }));
    await cache.putCacheEntry(entry("new", { sizeBytes: 300, lastHitAt: 3 }));
    await cache.putCacheEntry(entry("gone", { sizeBytes: 50, lastHitAt: 4, expiresAt: 500 }));
    expect(await cache.cacheBytes()).toBe(650);

    // Everything live fits: only the expired entry goes.
    expect(await cache.evictCacheEntries({ now: 500, maxBytes: 600 })).toBe(600);
    expect(await cache.takeCacheEntry({ key: "gone", now: 0 })).toBeUndefined();
    // Exactly at the cap after the oldest goes: the next one stays.
    expect(await cache.evictCacheEntries({ now: 500, maxBytes: 500 })).toBe(500);
    expect(await cache.cacheBytes()).toBe(500);
    expect(await cache.takeCacheEntry({ key: "old", now: 600 })).toBeUndefined();
    // Taking an entry makes it the most recent: "mid" now outlives "new".
    expect(await cache.takeCacheEntry({ key: "mid", now: 700 })).toBeTruthy();
    expect(await cache.evictCacheEntries({ now: 700, maxBytes: 299 })).toBe(200);
    expect(await cache.takeCacheEntry({ key: "new", now: 800 })).toBeUndefined();
    expect(await cache.takeCacheEntry({ key: "mid", now: 800 })).toMatchObject({ sizeBytes: 200 });
    expect(await cache.evictCacheEntries({ now: 800, maxBytes: 0 })).toBe(0);
    expect(await cache.cacheBytes()).toBe(0);
  });
});
