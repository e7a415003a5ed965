/** The response cache in Postgres: the twin of db/queries/response-cache.ts. */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { responseCache, type ResponseCacheRow } from "../schema-pg";

/** The entry under `key` unless it has expired; a hit is stamped for least-recently-used eviction. */
export async function takeCacheEntry({ key, now }: { key: string; now: number }): Promise<ResponseCacheRow | undefined> {
  const db = getPgDb();
  const [row] = await db.select().from(responseCache).where(and(eq(responseCache.key, key), gt(responseCache.expiresAt, now)));
  if (row) await db.update(responseCache).set({ lastHitAt: now }).where(eq(responseCache.key, key));
  return row;
}

export async function putCacheEntry(row: ResponseCacheRow): Promise<void> {
  await getPgDb()
    .insert(responseCache)
    .values(row)
    .onConflictDoUpdate({ target: responseCache.key, set: { ...row, key: undefined } });
}

// sum over integer is bigint, which pg reads as a string.
const totalBytes = sql<string>`coalesce(sum(${responseCache.sizeBytes}), 0)`;

export async function cacheBytes(): Promise<number> {
  const [row] = await getPgDb().select({ n: totalBytes }).from(responseCache);
  return Number(row?.n ?? 0);
}

/**
 * Deletes expired entries, then the least recently used until at most `maxBytes` remain, in one
 * transaction. Returns the bytes left.
 *
 * Deleting oldest first until the rest fit removes exactly the entries whose size plus that of
 * every newer entry is over the cap, so one DELETE with a running sum does what the SQLite twin's
 * loop does. Ties on last_hit_at go by key, so every instance picks the same entries.
 */
export async function evictCacheEntries({ now, maxBytes }: { now: number; maxBytes: number }): Promise<number> {
  return getPgDb().transaction(async (tx) => {
    await tx.delete(responseCache).where(lte(responseCache.expiresAt, now));
    await tx.execute(sql`
      DELETE FROM ${responseCache} WHERE ${responseCache.key} IN (
        SELECT key FROM (
          SELECT ${responseCache.key} AS key,
            sum(${responseCache.sizeBytes}) OVER (ORDER BY ${responseCache.lastHitAt} DESC, ${responseCache.key} COLLATE "C" DESC) AS kept
          FROM ${responseCache}
        ) newest WHERE kept > ${maxBytes}
      )`);
    const [row] = await tx.select({ n: totalBytes }).from(responseCache);
    return Number(row?.n ?? 0);
  });
}

import type * as sqlite from "../queries/response-cache";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./response-cache")>;
