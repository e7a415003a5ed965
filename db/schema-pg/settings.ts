import { pgTable, text } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";

/** Server-wide key/value state, e.g. the hash of a generated admin token and the demo-seeded marker. */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: bigintNumber("updated_at").notNull(),
});

export type SettingRow = typeof settings.$inferSelect;
