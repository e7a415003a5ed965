import { sql } from "drizzle-orm";
import { pgTable, text, integer, boolean, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/**
 * One row per request through either door, whatever its outcome. No foreign keys: rows outlive
 * deleted teams, keys and models, and unauthenticated requests have no team.
 */
export const usage = pgTable(
  "usage",
  {
    // An identity column, Postgres's counterpart of SQLite's AUTOINCREMENT: ids only
    // grow and are never reused.
    id: bigintNumber("id").primaryKey().generatedByDefaultAsIdentity(),
    requestId: text("request_id").notNull(),
    /** chat | embeddings | responses */
    endpoint: text("endpoint").notNull().default("chat"),
    createdAt: bigintNumber("created_at").notNull(),
    teamId: text("team_id"),
    keyId: text("key_id"),
    userId: text("user_id"),
    routeId: text("route_id"),
    variant: text("variant"),
    stickyKey: text("sticky_key"),
    requestedModel: text("requested_model"),
    servedModel: text("served_model"),
    providerId: text("provider_id"),
    attempts: integer("attempts").notNull().default(0),
    fallbackUsed: boolean("fallback_used").notNull().default(false),
    stream: boolean("stream").notNull().default(false),
    /** ok | error | rate_limited | budget_exceeded | aborted | rejected (auth or validation) */
    status: text("status").notNull(),
    httpStatus: integer("http_status").notNull(),
    errorType: text("error_type"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    costMicros: bigintNumber("cost_micros").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    ttftMs: integer("ttft_ms"),
    /** From arrival to the first upstream attempt: parsing, admission and the budget reservation. */
    queueMs: integer("queue_ms"),
    /** From arrival to the answering upstream's response headers; null when no upstream answered. */
    firstByteMs: integer("first_byte_ms"),
    /** Response cache: "hit", "miss", or null when the team's cache is off. */
    cache: text("cache"),
    /** On a hit, what the answer cost when it was made. */
    savedMicros: bigintNumber("saved_micros").notNull().default(0),
  },
  (t) => [
    // Each index below covers every column its queries read, so reports never touch the table
    // (over a million rows a covered scan is several times faster), and starts with the column a
    // report seeks or groups by, then created_at for the date range. Groups are read one key at a
    // time by seeks, because SQLite's GROUP BY sorts the rows first and that sort costs more than
    // the scan. `endpoint` comes last in each: the endpoint filter is checked in the index while it
    // is scanned, never by a seek (a few endpoints over the whole range would gain little from one).

    // Reports over a date range and groupBy=day (one seek per day); the raw CSV export walks it in
    // created_at order.
    index("usage_created_idx").on(
      t.createdAt, t.teamId, t.servedModel, t.routeId, t.variant, t.status,
      t.promptTokens, t.completionTokens, t.costMicros, t.latencyMs, t.ttftMs, t.endpoint,
    ),
    // sumTeamSpendSince (budgets, team spend), reports filtered by team (every team-key caller),
    // groupBy=team and top by team.
    index("usage_team_created_idx").on(
      t.teamId, t.createdAt, t.servedModel, t.routeId, t.variant, t.status,
      t.promptTokens, t.completionTokens, t.costMicros, t.latencyMs, t.ttftMs, t.endpoint,
    ),
    // Reports filtered or grouped by served model, top by model.
    index("usage_model_created_idx").on(
      t.servedModel, t.createdAt, t.teamId, t.routeId, t.variant, t.status,
      t.promptTokens, t.completionTokens, t.costMicros, t.latencyMs, t.ttftMs, t.endpoint,
    ),
    // cacheSavings: hits only, a small share of the rows, covered.
    index("usage_cache_hits_idx")
      .on(t.createdAt, t.teamId, t.servedModel, t.routeId, t.savedMicros)
      .where(sql`${t.cache} = 'hit'`),
    // Top API keys by spend. Only what that ranking reads: spend and tokens, and the filters.
    index("usage_key_created_idx").on(
      t.keyId, t.createdAt, t.teamId, t.servedModel, t.routeId, t.promptTokens, t.completionTokens, t.costMicros, t.endpoint,
    ),
    // Rollout windows (a route's rows since its stage started, with what classify() reads) and
    // reports filtered by route or grouped by variant.
    index("usage_route_created_idx").on(
      t.routeId, t.createdAt, t.variant, t.teamId, t.servedModel, t.status, t.httpStatus, t.errorType,
      t.fallbackUsed, t.promptTokens, t.completionTokens, t.costMicros, t.latencyMs, t.ttftMs, t.endpoint,
    ),
    // The request log (listUsageRequests): keyset order newest first, with every column it filters
    // on, so a filter is checked in the index and only the page's rows are read from the table.
    index("usage_log_idx").on(
      t.createdAt, t.id, t.teamId, t.keyId, t.userId, t.servedModel, t.routeId, t.status, t.endpoint,
    ),
    // The request log of one team (every team key's view): a seek, however quiet the team.
    index("usage_team_log_idx").on(
      t.teamId, t.createdAt, t.id, t.keyId, t.userId, t.servedModel, t.routeId, t.status, t.endpoint,
    ),
    // The request log of one person (My usage): a seek, however few of the rows are theirs.
    index("usage_user_log_idx").on(t.userId, t.createdAt, t.id),
  ],
);

export type UsageRow = typeof usage.$inferSelect;
export type NewUsageRow = typeof usage.$inferInsert;
