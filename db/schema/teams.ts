import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** Budgets are integer micro-USD; null means no cap. */
export const teams = sqliteTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  dailyBudgetMicros: integer("daily_budget_micros"),
  monthlyBudgetMicros: integer("monthly_budget_micros"),
  /** Share of a cap, in percent, at which a budget alert event is recorded once per period. */
  alertThresholdPct: integer("alert_threshold_pct").notNull().default(80),
  /** JSON array of model and route names the team may use; null means all. */
  allowedModels: text("allowed_models", { mode: "json" }).$type<string[]>(),
  /** JSON {mode: "off" | "deterministic" | "all", ttlSeconds}; null means off. */
  responseCache: text("response_cache", { mode: "json" }).$type<{ mode: "off" | "deterministic" | "all"; ttlSeconds: number }>(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type TeamRow = typeof teams.$inferSelect;
export type NewTeamRow = typeof teams.$inferInsert;
