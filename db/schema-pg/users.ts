import { pgTable, text, boolean } from "drizzle-orm/pg-core";
import { epochMsDate } from "./columns";

/** People who sign in to the browser workspace. Columns follow the auth library's user model. */
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  /** admin | member */
  role: text("role").notNull().default("member"),
  /** The team whose limits, budget and models the user's chats use. */
  currentTeamId: text("current_team_id"),
  createdAt: epochMsDate("created_at").notNull(),
  updatedAt: epochMsDate("updated_at").notNull(),
});

export type UserRow = typeof users.$inferSelect;
