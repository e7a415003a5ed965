import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { getDb } from "../client";
import { conversations, messages, type ConversationRow } from "../schema";

export function listConversationsOfUser({ userId }: { userId: string }) {
  return getDb().select().from(conversations).where(eq(conversations.userId, userId)).orderBy(desc(conversations.updatedAt)).all();
}

/** `%`, `_` and the escape character itself match only themselves. */
const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The user's conversations whose title or the text of any message contains `text` (LIKE: ASCII
 * letters match in either case), newest first. Only text parts count, not the JSON around them
 * nor tool calls. A scan of one person's messages, through messages_conversation_seq_idx.
 */
export function searchConversationsOfUser({ userId, text }: { userId: string; text: string }) {
  const pattern = likeContaining(text);
  const inMessages = sql`exists (
    select 1 from ${messages} as m, json_each(m.parts) as part
    where m.conversation_id = ${conversations.id}
      and json_extract(part.value, '$.type') = 'text'
      and json_extract(part.value, '$.text') like ${pattern} escape '\\'
  )`;
  return getDb()
    .select()
    .from(conversations)
    .where(and(eq(conversations.userId, userId), or(sql`${conversations.title} like ${pattern} escape '\\'`, inMessages)))
    .orderBy(desc(conversations.updatedAt))
    .all();
}

/** A conversation only if it belongs to this user: other people's are indistinguishable from missing. */
export function getConversationOfUser({ id, userId }: { id: string; userId: string }): ConversationRow | undefined {
  return getDb()
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .get();
}

export function insertConversation(row: typeof conversations.$inferInsert) {
  return getDb().insert(conversations).values(row).returning().get();
}

export function updateConversation({ id, userId, patch }: { id: string; userId: string; patch: Partial<Pick<ConversationRow, "title" | "model" | "teamId" | "systemPrompt" | "temperature" | "updatedAt">> }) {
  return getDb()
    .update(conversations)
    .set(patch)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .returning()
    .get();
}

export function deleteConversation({ id, userId }: { id: string; userId: string }): boolean {
  return Boolean(
    getDb()
      .delete(conversations)
      .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
      .returning({ id: conversations.id })
      .get(),
  );
}

export function listMessages({ conversationId }: { conversationId: string }) {
  return getDb().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq)).all();
}

/**
 * Stores the conversation as the client now shows it: messages after the common prefix are
 * replaced (a regenerated reply replaces the old one), in one transaction.
 */
export function replaceMessages({
  conversationId,
  rows,
  now,
}: {
  conversationId: string;
  rows: Array<{ id: string; role: "system" | "user" | "assistant"; parts: unknown[]; metadata: Record<string, unknown> | null }>;
  now: number;
}) {
  getDb().transaction((tx) => {
    tx.delete(messages).where(eq(messages.conversationId, conversationId)).run();
    if (rows.length) {
      tx.insert(messages)
        .values(rows.map((r, seq) => ({ ...r, conversationId, seq, createdAt: now })))
        .run();
    }
    tx.update(conversations).set({ updatedAt: now }).where(eq(conversations.id, conversationId)).run();
  });
}

export function countMessages({ conversationId }: { conversationId: string }): number {
  return getDb().select({ n: sql<number>`count(*)` }).from(messages).where(eq(messages.conversationId, conversationId)).get()?.n ?? 0;
}
