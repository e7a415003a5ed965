import { pgTable, text, primaryKey, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { teams } from "./teams";
import { users } from "./users";

/** Which teams a user belongs to; chat traffic is billed to one of them. */
export const teamMembers = pgTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: bigintNumber("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    // listTeamsOfUser: the chat page's team switcher and the browser door's authorization
    index("team_members_user_idx").on(t.userId),
  ],
);
