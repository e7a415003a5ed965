import { pgTable, text, integer, json, index, primaryKey } from "drizzle-orm/pg-core";
import { bigintNumber } from "./columns";
import { conversations } from "./conversations";

/** Chat messages as the UI renders them (AI SDK UI message parts), with per-reply metadata. */
export const messages = pgTable(
  "messages",
  {
    /** Chosen by the browser, so unique only within its conversation. */
    id: text("id").notNull(),
    conversationId: text("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["system", "user", "assistant"] }).notNull(),
    parts: json("parts").$type<unknown[]>().notNull(),
    /** Served model, variant, tokens, cost, time to first token. */
    metadata: json("metadata").$type<Record<string, unknown>>(),
    /** Order within the conversation. */
    seq: integer("seq").notNull(),
    createdAt: bigintNumber("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.id] }),
    // listMessagesOfConversation in order
    index("messages_conversation_seq_idx").on(t.conversationId, t.seq),
  ],
);

export type MessageRow = typeof messages.$inferSelect;
