import { pgTable, text, index } from "drizzle-orm/pg-core";
import { epochMsDate } from "./columns";
import { users } from "./users";

/** Credentials per user; for email and password sign-in, `password` holds the scrypt hash. */
export const accounts = pgTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: epochMsDate("access_token_expires_at"),
    refreshTokenExpiresAt: epochMsDate("refresh_token_expires_at"),
    scope: text("scope"),
    password: text("password"),
    createdAt: epochMsDate("created_at").notNull(),
    updatedAt: epochMsDate("updated_at").notNull(),
  },
  (t) => [
    // finding a user's credential account at sign-in
    index("accounts_user_idx").on(t.userId),
  ],
);
