/** Chat conversations and their messages on Postgres: the twin of db/queries/conversations.ts. */
import { and, asc, count, desc, eq, or, sql, type SQLWrapper } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { conversations, messages } from "../schema-pg";
import type { ConversationRow } from "../schema";

export async function listConversationsOfUser({ userId }: { userId: string }) {
  return getPgDb().select().from(conversations).where(eq(conversations.userId, userId)).orderBy(desc(conversations.updatedAt));
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/**
 * SQLite's LIKE folds ASCII letters only. ILIKE would fold every letter the server's locale knows
 * (É and é too), so both sides are folded with translate instead, and the search finds the same
 * conversations on either database. `%`, `_` and the escape character match only themselves.
 */
const likeContaining = (text: string) => `%${text.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const foldedLike = (value: SQLWrapper, pattern: string) => sql`translate(${value}, ${UPPER}, ${LOWER}) like ${pattern} escape '\\'`;

/**
 * The user's conversations whose title or the text of any message contains `text` (ASCII letters
 * match in either case), newest first. Only text parts count, not the JSON around them nor tool
 * calls. A scan of one person's messages, through messages_conversation_seq_idx.
 */
export async function searchConversationsOfUser({ userId, text }: { userId: string; text: string }) {
  const pattern = likeContaining(text);
  const inMessages = sql`exists (
    select 1 from ${messages} as m, json_array_elements(m.parts) as part
    where m.conversation_id = ${conversations.id}
      and part->>'type' = 'text'
      and ${foldedLike(sql`part->>'text'`, pattern)}
  )`;
  return getPgDb()
    .select()
    .from(conversations)
    .where(and(eq(conversations.userId, userId), or(foldedLike(conversations.title, pattern), inMessages)))
    .orderBy(desc(conversations.updatedAt));
}

/** A conversation only if it belongs to this user: other people's are indistinguishable from missing. */
export async function getConversationOfUser({ id, userId }: { id: string; userId: string }): Promise<ConversationRow | undefined> {
  const [row] = await getPgDb()
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)));
  return row;
}

export async function insertConversation(row: typeof conversations.$inferInsert) {
  const [inserted] = await getPgDb().insert(conversations).values(row).returning();
  return inserted!;
}

/** Undefined when the user has no such conversation, as SQLite's .get() answers too, whatever its type says. */
export async function updateConversation({ id, userId, patch }: { id: string; userId: string; patch: Partial<Pick<ConversationRow, "title" | "model" | "teamId" | "systemPrompt" | "temperature" | "updatedAt">> }) {
  const [row] = await getPgDb()
    .update(conversations)
    .set(patch)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .returning();
  return row!;
}

export async function deleteConversation({ id, userId }: { id: string; userId: string }): Promise<boolean> {
  const deleted = await getPgDb()
    .delete(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.userId, userId)))
    .returning({ id: conversations.id });
  return deleted.length > 0;
}

export async function listMessages({ conversationId }: { conversationId: string }) {
  return getPgDb().select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq));
}

/**
 * Stores the conversation as the client now shows it: messages after the common prefix are
 * replaced (a regenerated reply replaces the old one), in one transaction.
 */
export async function replaceMessages({
  conversationId,
  rows,
  now,
}: {
  conversationId: string;
  rows: Array<{ id: string; role: "system" | "user" | "assistant"; parts: unknown[]; metadata: Record<string, unknown> | null }>;
  now: number;
}): Promise<void> {
  await getPgDb().transaction(async (tx) => {
    // The conversation's row is locked first, so two saves of one conversation at once (two tabs,
    // two instances) run one after the other rather than both inserting after both deletes.
    await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversationId)).for("no key update");
    await tx.delete(messages).where(eq(messages.conversationId, conversationId));
    if (rows.length) {
      await tx.insert(messages).values(rows.map((r, seq) => ({ ...r, conversationId, seq, createdAt: now })));
    }
    await tx.update(conversations).set({ updatedAt: now }).where(eq(conversations.id, conversationId));
  });
}

export async function countMessages({ conversationId }: { conversationId: string }): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(messages).where(eq(messages.conversationId, conversationId));
  return row?.n ?? 0;
}

import type * as sqlite from "../queries/conversations";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./conversations")>;
