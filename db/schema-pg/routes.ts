import { pgTable, text, integer, boolean, doublePrecision, json } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/**
 * A route alias clients put in `model`: traffic split between a control and a candidate model,
 * advanced through stages and rolled back by the evaluator. Its audit trail is in `events`.
 */
export const routes = pgTable("routes", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** Hashed with the sticky key to assign variants; fixed for the route's life. */
  seed: text("seed").notNull(),
  status: text("status", { enum: ["running", "paused", "rolled_back", "promoted"] }).notNull(),
  controlModel: text("control_model").notNull(),
  candidateModel: text("candidate_model"),
  /** Percent of sticky keys sent to the candidate, 0–100. Double precision like SQLite's REAL; a 4-byte real would read 12.3 back as 12.300000190734863. */
  candidateWeight: doublePrecision("candidate_weight").notNull().default(0),
  stages: json("stages").$type<number[]>().notNull(),
  stageIndex: integer("stage_index").notNull().default(0),
  stageStartedAt: bigintNumber("stage_started_at").notNull(),
  /** auto (conversation → user → key → request), or one source only */
  stickyBy: text("sticky_by", { enum: ["auto", "conversation", "user", "key", "request"] }).notNull().default("auto"),
  guardrails: json("guardrails").$type<Record<string, number | null>>().notNull(),
  evalIntervalSeconds: integer("eval_interval_seconds").notNull().default(30),
  minStageSeconds: integer("min_stage_seconds").notNull().default(600),
  autoAdvance: boolean("auto_advance").notNull().default(true),
  lastEvaluatedAt: bigintNumber("last_evaluated_at"),
  /** The last decision, kept so the settings page can show why the route is holding. */
  lastDecision: json("last_decision").$type<Record<string, unknown>>(),
  createdAt: bigintNumber("created_at").notNull(),
  updatedAt: bigintNumber("updated_at").notNull(),
});

export type RouteRow = typeof routes.$inferSelect;
export type NewRouteRow = typeof routes.$inferInsert;
