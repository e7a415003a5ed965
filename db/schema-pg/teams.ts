import { pgTable, text, integer, json } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/** Budgets are integer micro-USD; null means no cap. */
export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  dailyBudgetMicros: bigintNumber("daily_budget_micros"),
  monthlyBudgetMicros: bigintNumber("monthly_budget_micros"),
  /** Share of a cap, in percent, at which a budget alert event is recorded once per period. */
  alertThresholdPct: integer("alert_threshold_pct").notNull().default(80),
  /** JSON array of model and route names the team may use; null means all. */
  allowedModels: json("allowed_models").$type<string[]>(),
  /** JSON {mode: "off" | "deterministic" | "all", ttlSeconds}; null means off. */
  responseCache: json("response_cache").$type<{ mode: "off" | "deterministic" | "all"; ttlSeconds: number }>(),
  createdAt: bigintNumber("created_at").notNull(),
  updatedAt: bigintNumber("updated_at").notNull(),
});

export type TeamRow = typeof teams.$inferSelect;
export type NewTeamRow = typeof teams.$inferInsert;
