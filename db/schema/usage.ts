import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

/**
 * One row per request through either door, whatever its outcome. No foreign keys: rows outlive
 * deleted teams, keys and models, and unauthenticated requests have no team.
 */
export const usage = sqliteTable(
  "usage",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    requestId: text("request_id").notNull(),
    createdAt: integer("created_at").notNull(),
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
    fallbackUsed: integer("fallback_used", { mode: "boolean" }).notNull().default(false),
    stream: integer("stream", { mode: "boolean" }).notNull().default(false),
    /** ok | error | rate_limited | budget_exceeded | aborted | rejected (auth or validation) */
    status: text("status").notNull(),
    httpStatus: integer("http_status").notNull(),
    errorType: text("error_type"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    ttftMs: integer("ttft_ms"),
  },
  (t) => [
    // sumTeamSpendSince (budgets, team spend) and usage reports filtered by team
    index("usage_team_created_idx").on(t.teamId, t.createdAt),
    // usage reports and exports over a date range
    index("usage_created_idx").on(t.createdAt),
    // rollout windows: a route's rows since its stage started
    index("usage_route_created_idx").on(t.routeId, t.createdAt),
  ],
);

export type UsageRow = typeof usage.$inferSelect;
export type NewUsageRow = typeof usage.$inferInsert;
