/**
 * The response cache in the database, within a size cap: entries survive restarts, and the total
 * is tracked here so eviction runs only when a new entry takes it past the cap. Entries are
 * stored behind the answer, one at a time so the running total stays right.
 */
import { cacheBytes, evictCacheEntries, putCacheEntry, takeCacheEntry } from "@/db/queries/response-cache";
import type { Frame } from "../gateway/providers/types";
import type { CacheEntry, ResponseCache } from "../gateway/response-cache";
import type { Logger } from "../gateway/types";

export function databaseResponseCache(maxBytes: number, log: Logger): ResponseCache {
  let total: number | null = null;
  let storing: Promise<void> | null = null;

  const store = async (key: string, teamId: string, entry: CacheEntry, expiresAt: number, now: number, answer: string, sizeBytes: number) => {
    await putCacheEntry({ key, teamId, model: entry.model, answer, promptTokens: entry.promptTokens, completionTokens: entry.completionTokens, costMicros: entry.costMicros, sizeBytes, createdAt: now, expiresAt, lastHitAt: now });
    total = (total ?? (await cacheBytes())) + sizeBytes;
    if (total > maxBytes) total = await evictCacheEntries({ now, maxBytes });
  };

  return {
    async get(key, _teamId, now) {
      const row = await takeCacheEntry({ key, now });
      if (!row) return null;
      return { answer: JSON.parse(row.answer) as Frame, model: row.model, promptTokens: row.promptTokens, completionTokens: row.completionTokens, costMicros: row.costMicros };
    },
    put(key, teamId, entry, expiresAt, now) {
      const answer = JSON.stringify(entry.answer);
      const sizeBytes = Buffer.byteLength(answer);
      if (sizeBytes > maxBytes) return;
      const run = () =>
        store(key, teamId, entry, expiresAt, now, answer, sizeBytes).catch((err: unknown) => {
          // The total may now be wrong; the next store counts it again from the table.
          total = null;
          log.error("response cache write failed", { error: err instanceof Error ? err.message : String(err) });
        });
      const stored = storing ? storing.then(run) : run();
      storing = stored;
      void stored.then(() => {
        if (storing === stored) storing = null;
      });
    },
  };
}
