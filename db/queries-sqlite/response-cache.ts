import { and, eq, gt, lte, sql } from "drizzle-orm";
import { getDb } from "../client";
import { responseCache, type ResponseCacheRow } from "../schema";

/** The entry under `key` unless it has expired; a hit is stamped for least-recently-used eviction. */
export function takeCacheEntry({ key, now }: { key: string; now: number }): ResponseCacheRow | undefined {
  const db = getDb();
  const row = db.select().from(responseCache).where(and(eq(responseCache.key, key), gt(responseCache.expiresAt, now))).get();
  if (row) db.update(responseCache).set({ lastHitAt: now }).where(eq(responseCache.key, key)).run();
  return row;
}

export function putCacheEntry(row: ResponseCacheRow): void {
  getDb()
    .insert(responseCache)
    .values(row)
    .onConflictDoUpdate({ target: responseCache.key, set: { ...row, key: undefined } })
    .run();
}

export function cacheBytes(): number {
  return Number(getDb().select({ n: sql<number>`coalesce(sum(${responseCache.sizeBytes}), 0)` }).from(responseCache).get()?.n ?? 0);
}

/**
 * Deletes expired entries, then the least recently used until at most `maxBytes` remain, in one
 * transaction. Returns the bytes left.
 */
export function evictCacheEntries({ now, maxBytes }: { now: number; maxBytes: number }): number {
  const db = getDb();
  return db.transaction((tx) => {
    tx.delete(responseCache).where(lte(responseCache.expiresAt, now)).run();
    let total = Number(tx.select({ n: sql<number>`coalesce(sum(${responseCache.sizeBytes}), 0)` }).from(responseCache).get()?.n ?? 0);
    while (total > maxBytes) {
      const batch = tx.select({ key: responseCache.key, size: responseCache.sizeBytes }).from(responseCache).orderBy(responseCache.lastHitAt).limit(100).all();
      if (batch.length === 0) break;
      for (const { key, size } of batch) {
        if (total <= maxBytes) break;
        tx.delete(responseCache).where(eq(responseCache.key, key)).run();
        total -= size;
      }
    }
    return total;
  });
}
