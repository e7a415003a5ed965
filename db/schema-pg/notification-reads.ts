import { pgTable, text } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { users } from "./users";

/** How far each person has read the notification list: the newest event id they have seen. */
export const notificationReads = pgTable("notification_reads", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  lastReadEventId: bigintNumber("last_read_event_id").notNull().default(0),
  updatedAt: bigintNumber("updated_at").notNull(),
});

export type NotificationReadRow = typeof notificationReads.$inferSelect;
