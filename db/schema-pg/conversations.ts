import { pgTable, text, doublePrecision, index } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { users } from "./users";

/** A chat in the browser workspace, owned by one user. Its id is the sticky key for route splits. */
export const conversations = pgTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    teamId: text("team_id"),
    title: text("title").notNull(),
    /** The model or route alias the conversation talks to. */
    model: text("model").notNull(),
    /** Sent ahead of the messages as a system message on every turn; null sends none. */
    systemPrompt: text("system_prompt"),
    /** Sent with every turn; null leaves it to the model's default. Double precision like SQLite's REAL, so 0.7 reads back as 0.7. */
    temperature: doublePrecision("temperature"),
    createdAt: bigintNumber("created_at").notNull(),
    updatedAt: bigintNumber("updated_at").notNull(),
  },
  (t) => [
    // listConversationsOfUser, newest first
    index("conversations_user_updated_idx").on(t.userId, t.updatedAt),
  ],
);

export type ConversationRow = typeof conversations.$inferSelect;
