import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";
import { users } from "./users";

/** How far each person has read the notification list: the newest event id they have seen. */
export const notificationReads = sqliteTable("notification_reads", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  lastReadEventId: integer("last_read_event_id").notNull().default(0),
  updatedAt: integer("updated_at").notNull(),
});

export type NotificationReadRow = typeof notificationReads.$inferSelect;
