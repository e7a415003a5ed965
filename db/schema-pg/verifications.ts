import { pgTable, text, index } from "drizzle-orm/pg-core";
import { epochMsDate } from "./columns";

/** Short-lived tokens of the auth library (password resets, email checks). */
export const verifications = pgTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: epochMsDate("expires_at").notNull(),
    createdAt: epochMsDate("created_at").notNull(),
    updatedAt: epochMsDate("updated_at").notNull(),
  },
  (t) => [
    // looking a token up by what it verifies
    index("verifications_identifier_idx").on(t.identifier),
  ],
);
