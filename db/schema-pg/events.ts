import { pgTable, text, json, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/** Append-only audit and operational events: breaker transitions, budget alerts, route decisions. */
export const events = pgTable(
  "events",
  {
    // An identity column, Postgres's counterpart of SQLite's AUTOINCREMENT: ids only grow.
    id: bigintNumber("id").primaryKey().generatedByDefaultAsIdentity(),
    createdAt: bigintNumber("created_at").notNull(),
    type: text("type").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    /** "system", "admin-token", or a user id */
    actor: text("actor").notNull(),
    data: json("data").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // listEvents filtered by subject (a team's alerts, a model's breaker history, a route's audit trail)
    index("events_subject_idx").on(t.subjectType, t.subjectId, t.id),
    // listEvents filtered by type (budget alerts once per period)
    index("events_type_idx").on(t.type, t.id),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
