import { pgTable, text, index } from "drizzle-orm/pg-core";
import { epochMsDate } from "./columns";
import { users } from "./users";

/** Sign-in sessions; the cookie carries a signed token that names one row. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull().unique(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: epochMsDate("expires_at").notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    createdAt: epochMsDate("created_at").notNull(),
    updatedAt: epochMsDate("updated_at").notNull(),
  },
  (t) => [
    // revoking every session of a user (role change, deletion)
    index("sessions_user_idx").on(t.userId),
  ],
);
