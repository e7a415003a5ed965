/**
 * The response cache in the database, within a size cap: entries survive restarts, and the total
 * is tracked here so eviction runs only when a new entry takes it past the cap.
 */
import { cacheBytes, evictCacheEntries, putCacheEntry, takeCacheEntry } from "@/db/queries/response-cache";
import type { Frame } from "../gateway/providers/types";
import type { ResponseCache } from "../gateway/response-cache";

export function databaseResponseCache(maxBytes: number): ResponseCache {
  let total: number | null = null;
  return {
    get(key, now) {
      const row = takeCacheEntry({ key, now });
      if (!row) return null;
      return { answer: JSON.parse(row.answer) as Frame, model: row.model, promptTokens: row.promptTokens, completionTokens: row.completionTokens, costMicros: row.costMicros };
    },
    put(key, teamId, entry, expiresAt, now) {
      const answer = JSON.stringify(entry.answer);
      const sizeBytes = Buffer.byteLength(answer);
      if (sizeBytes > maxBytes) return;
      putCacheEntry({ key, teamId, model: entry.model, answer, promptTokens: entry.promptTokens, completionTokens: entry.completionTokens, costMicros: entry.costMicros, sizeBytes, createdAt: now, expiresAt, lastHitAt: now });
      total = (total ?? cacheBytes()) + sizeBytes;
      if (total > maxBytes) total = evictCacheEntries({ now, maxBytes });
    },
  };
}
