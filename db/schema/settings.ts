import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** Server-wide key/value state, e.g. the hash of a generated admin token and the demo-seeded marker. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type SettingRow = typeof settings.$inferSelect;
