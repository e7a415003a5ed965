import { sqliteTable, text, integer, real } from "drizzle-orm/sqlite-core";

/**
 * A route alias clients put in `model`: traffic split between a control and a candidate model,
 * advanced through stages and rolled back by the evaluator. Its audit trail is in `events`.
 */
export const routes = sqliteTable("routes", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** Hashed with the sticky key to assign variants; fixed for the route's life. */
  seed: text("seed").notNull(),
  status: text("status", { enum: ["running", "paused", "rolled_back", "promoted"] }).notNull(),
  controlModel: text("control_model").notNull(),
  candidateModel: text("candidate_model"),
  /** Percent of sticky keys sent to the candidate, 0–100. */
  candidateWeight: real("candidate_weight").notNull().default(0),
  stages: text("stages", { mode: "json" }).$type<number[]>().notNull(),
  stageIndex: integer("stage_index").notNull().default(0),
  stageStartedAt: integer("stage_started_at").notNull(),
  /** auto (conversation → user → key → request), or one source only */
  stickyBy: text("sticky_by", { enum: ["auto", "conversation", "user", "key", "request"] }).notNull().default("auto"),
  guardrails: text("guardrails", { mode: "json" }).$type<Record<string, number | null>>().notNull(),
  evalIntervalSeconds: integer("eval_interval_seconds").notNull().default(30),
  minStageSeconds: integer("min_stage_seconds").notNull().default(600),
  autoAdvance: integer("auto_advance", { mode: "boolean" }).notNull().default(true),
  lastEvaluatedAt: integer("last_evaluated_at"),
  /** The last decision, kept so the settings page can show why the route is holding. */
  lastDecision: text("last_decision", { mode: "json" }).$type<Record<string, unknown>>(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type RouteRow = typeof routes.$inferSelect;
export type NewRouteRow = typeof routes.$inferInsert;
