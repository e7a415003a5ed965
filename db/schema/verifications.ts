import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

/** Short-lived tokens of the auth library (password resets, email checks). */
export const verifications = sqliteTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    // looking a token up by what it verifies
    index("verifications_identifier_idx").on(t.identifier),
  ],
);
