import { sqliteTable, text, integer, index, primaryKey } from "drizzle-orm/sqlite-core";
import { conversations } from "./conversations";

/** Chat messages as the UI renders them (AI SDK UI message parts), with per-reply metadata. */
export const messages = sqliteTable(
  "messages",
  {
    /** Chosen by the browser, so unique only within its conversation. */
    id: text("id").notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["system", "user", "assistant"] }).notNull(),
    parts: text("parts", { mode: "json" }).$type<unknown[]>().notNull(),
    /** Served model, variant, tokens, cost, time to first token. */
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
    /** Order within the conversation. */
    seq: integer("seq").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.id] }),
    // listMessagesOfConversation in order
    index("messages_conversation_seq_idx").on(t.conversationId, t.seq),
  ],
);

export type MessageRow = typeof messages.$inferSelect;
