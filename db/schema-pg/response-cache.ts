import { pgTable, text, integer, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/**
 * Answers kept for the exact-match response cache. The key is a SHA-256 of the team, the model and
 * the canonical request, so an entry is never shared across teams. `answer` is the answer as the
 * gateway's events (JSON), so any endpoint format can be written from it.
 */
export const responseCache = pgTable(
  "response_cache",
  {
    key: text("key").primaryKey(),
    teamId: text("team_id").notNull(),
    /** The model that served the answer. */
    model: text("model").notNull(),
    // Text, as in SQLite: the queries store and parse the JSON themselves.
    answer: text("answer").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    /** What the answer cost when it was made: each hit saves this much. */
    costMicros: bigintNumber("cost_micros").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    createdAt: bigintNumber("created_at").notNull(),
    expiresAt: bigintNumber("expires_at").notNull(),
    lastHitAt: bigintNumber("last_hit_at").notNull(),
  },
  (t) => [
    // evictResponseCache: expired entries first, then the least recently used
    index("response_cache_expires_idx").on(t.expiresAt),
    index("response_cache_last_hit_idx").on(t.lastHitAt),
  ],
);

export type ResponseCacheRow = typeof responseCache.$inferSelect;
