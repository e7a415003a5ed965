/** A person's conversations in the chat workspace: only ever their own. */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  deleteConversation as deleteRow,
  getConversationOfUser,
  insertConversation,
  listConversationsOfUser,
  listMessages,
  searchConversationsOfUser,
  updateConversation,
} from "@/db/queries/conversations";
import type { ConversationRow } from "@/db/schema";
import { parseInput } from "../admin/schemas";
import { badRequest, notFound } from "../gateway/errors";

export const NEW_CHAT_TITLE = "New chat";

/** A system prompt is sent with every turn, so it stays a few thousand tokens at most. */
export const MAX_SYSTEM_PROMPT_CHARS = 10_000;
export const MAX_SEARCH_CHARS = 200;

/** Blank or whitespace is no system prompt at all, not an empty system message. */
const systemPrompt = z
  .string()
  .max(MAX_SYSTEM_PROMPT_CHARS, `at most ${MAX_SYSTEM_PROMPT_CHARS} characters`)
  .nullable()
  .transform((s) => (s === null || s.trim() === "" ? null : s));
/** OpenAI's range; null is the model's own default. */
const temperature = z.number().min(0).max(2).nullable();

const settings = { systemPrompt: systemPrompt.optional(), temperature: temperature.optional() };
const createSchema = z.strictObject({ model: z.string().min(1).max(128), title: z.string().trim().min(1).max(200).optional(), ...settings });
const patchSchema = z.strictObject({ title: z.string().trim().min(1).max(200), model: z.string().min(1).max(128), ...settings }).partial();
const searchSchema = z.string().trim().max(MAX_SEARCH_CHARS, `at most ${MAX_SEARCH_CHARS} characters`);

const view = (c: ConversationRow) => ({
  id: c.id,
  title: c.title,
  model: c.model,
  teamId: c.teamId,
  systemPrompt: c.systemPrompt,
  temperature: c.temperature,
  createdAt: new Date(c.createdAt).toISOString(),
  updatedAt: new Date(c.updatedAt).toISOString(),
});

/** All of the person's conversations, or with `q` those whose title or message text contains it. */
export async function listConversations(userId: string, q: string | null = null) {
  const text = q === null ? "" : parseSearch(q);
  const rows = text ? await searchConversationsOfUser({ userId, text }) : await listConversationsOfUser({ userId });
  return { data: rows.map(view) };
}

function parseSearch(q: string): string {
  const result = searchSchema.safeParse(q);
  if (!result.success) throw badRequest(`Invalid value for 'q': ${result.error.issues[0]!.message}.`, "q");
  return result.data;
}

export async function requireConversation(userId: string, id: string): Promise<ConversationRow> {
  const row = await getConversationOfUser({ id, userId });
  if (!row) throw notFound(`No conversation with id '${id}'.`);
  return row;
}

export async function getConversation(userId: string, id: string) {
  const row = await requireConversation(userId, id);
  const messages = (await listMessages({ conversationId: id })).map((m) => ({ id: m.id, role: m.role, parts: m.parts, metadata: m.metadata ?? undefined }));
  return { ...view(row), messages };
}

export async function createConversation(userId: string, teamId: string | null, input: unknown, now: number) {
  const body = parseInput(createSchema, input);
  const row = await insertConversation({
    id: `conv_${randomBytes(12).toString("hex")}`,
    userId,
    teamId,
    title: body.title ?? NEW_CHAT_TITLE,
    model: body.model,
    systemPrompt: body.systemPrompt ?? null,
    temperature: body.temperature ?? null,
    createdAt: now,
    updatedAt: now,
  });
  return view(row);
}

export async function patchConversation(userId: string, id: string, input: unknown, now: number) {
  await requireConversation(userId, id);
  const body = parseInput(patchSchema, input);
  return view((await updateConversation({ id, userId, patch: { ...body, updatedAt: now } }))!);
}

export async function deleteConversation(userId: string, id: string) {
  if (!(await deleteRow({ id, userId }))) throw notFound(`No conversation with id '${id}'.`);
  return { id, deleted: true as const };
}
