/** A person's conversations in the chat workspace: only ever their own. */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { deleteConversation as deleteRow, getConversationOfUser, insertConversation, listConversationsOfUser, listMessages, updateConversation } from "@/db/queries/conversations";
import type { ConversationRow } from "@/db/schema";
import { parseInput } from "../admin/schemas";
import { notFound } from "../gateway/errors";

export const NEW_CHAT_TITLE = "New chat";

const createSchema = z.strictObject({ model: z.string().min(1).max(128), title: z.string().trim().min(1).max(200).optional() });
const patchSchema = z.strictObject({ title: z.string().trim().min(1).max(200), model: z.string().min(1).max(128) }).partial();

const view = (c: ConversationRow) => ({
  id: c.id,
  title: c.title,
  model: c.model,
  teamId: c.teamId,
  createdAt: new Date(c.createdAt).toISOString(),
  updatedAt: new Date(c.updatedAt).toISOString(),
});

export function listConversations(userId: string) {
  return { data: listConversationsOfUser({ userId }).map(view) };
}

export function requireConversation(userId: string, id: string): ConversationRow {
  const row = getConversationOfUser({ id, userId });
  if (!row) throw notFound(`No conversation with id '${id}'.`);
  return row;
}

export function getConversation(userId: string, id: string) {
  const row = requireConversation(userId, id);
  const messages = listMessages({ conversationId: id }).map((m) => ({ id: m.id, role: m.role, parts: m.parts, metadata: m.metadata ?? undefined }));
  return { ...view(row), messages };
}

export function createConversation(userId: string, teamId: string | null, input: unknown, now: number) {
  const body = parseInput(createSchema, input);
  const row = insertConversation({
    id: `conv_${randomBytes(12).toString("hex")}`,
    userId,
    teamId,
    title: body.title ?? NEW_CHAT_TITLE,
    model: body.model,
    createdAt: now,
    updatedAt: now,
  });
  return view(row);
}

export function patchConversation(userId: string, id: string, input: unknown, now: number) {
  requireConversation(userId, id);
  const body = parseInput(patchSchema, input);
  return view(updateConversation({ id, userId, patch: { ...body, updatedAt: now } })!);
}

export function deleteConversation(userId: string, id: string) {
  if (!deleteRow({ id, userId })) throw notFound(`No conversation with id '${id}'.`);
  return { id, deleted: true as const };
}
