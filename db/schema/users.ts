import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** People who sign in to the browser workspace. Columns follow the auth library's user model. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
  image: text("image"),
  /** admin | member */
  role: text("role").notNull().default("member"),
  /** The team whose limits, budget and models the user's chats use. */
  currentTeamId: text("current_team_id"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export type UserRow = typeof users.$inferSelect;
