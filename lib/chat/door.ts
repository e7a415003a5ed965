/**
 * The browser's door: the AI SDK's streamText over an OpenAI-compatible provider whose fetch goes
 * into the gateway pipeline in-process, as the signed-in person's current team, with the
 * conversation as the sticky key. Chat traffic is limited, budgeted, split, retried and recorded
 * exactly like API traffic.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, convertToModelMessages, createUIMessageStreamResponse, streamText, toUIMessageStream, validateUIMessages, type UIMessage } from "ai";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getTeamLimits } from "@/db/queries/auth";
import { replaceMessages, updateConversation } from "@/db/queries/conversations";
import { parseInput } from "../admin/schemas";
import { badRequest, forbidden, GatewayError } from "../gateway/errors";
import { fromWebRequest, toWebResponse } from "../gateway/exchange";
import type { Gateway } from "../gateway/gateway";
import type { Caller, UsageRecord } from "../gateway/types";
import { teamOfViewer, type Viewer } from "../server/session";
import { NEW_CHAT_TITLE, requireConversation } from "./conversations";

export interface ReplyMetadata {
  model?: string;
  variant?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  ttftMs?: number | null;
  latencyMs?: number;
}

const bodySchema = z.looseObject({
  id: z.string().min(1).max(100),
  messages: z.array(z.unknown()).min(1).max(1000),
  model: z.string().min(1).max(128).optional(),
  /** Compare mode: nothing is stored, the id is only the sticky key. */
  ephemeral: z.boolean().optional(),
});

/** What the chat page needs to show an error in words: the kind, and when to try again. */
export function describeChatError(err: unknown): string {
  const cause = APICallError.isInstance(err) ? err : APICallError.isInstance((err as { cause?: unknown })?.cause) ? ((err as { cause: APICallError }).cause) : null;
  if (!cause) return JSON.stringify({ kind: "error", message: "The reply failed. Try again." });
  let message = cause.message;
  let code: string | null = null;
  try {
    const parsed = JSON.parse(cause.responseBody ?? "{}") as { error?: { message?: string; code?: string } };
    message = parsed.error?.message ?? message;
    code = parsed.error?.code ?? null;
  } catch {
    // keep the SDK's message
  }
  const retryAfter = Number(cause.responseHeaders?.["retry-after"]);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : null;
  const kind =
    code === "budget_exceeded" ? "budget_exceeded" : cause.statusCode === 429 ? "rate_limited" : (cause.statusCode ?? 500) >= 500 ? "upstream_down" : "rejected";
  // An upstream failure's own words name internal hosts and ports ("connect ECONNREFUSED
  // 10.0.0.7:8000"): API callers get them, people in the chat get a sentence.
  if (kind === "upstream_down") message = upstreamDownWords(code, cause.statusCode);
  return JSON.stringify({ kind, code, message, status: cause.statusCode ?? null, retryAfterSeconds, resetAt: retryAfterSeconds !== null ? new Date(Date.now() + retryAfterSeconds * 1000).toISOString() : null });
}

function upstreamDownWords(code: string | null, status: number | undefined): string {
  if (code === "timeout" || status === 504) return "The model's provider did not answer in time.";
  if (code === "egress_denied") return "The gateway is not allowed to connect to the model's provider; an admin needs to fix the provider's address.";
  return "The model's provider could not be reached.";
}

async function callerOf(viewer: Viewer): Promise<Caller> {
  const teamId = await teamOfViewer(viewer);
  const team = await getTeamLimits({ teamId });
  if (!team) throw forbidden("Your team no longer exists; ask an admin to add you to one.");
  return { team, keyId: null, keyRpmLimit: null, userId: viewer.userId };
}

function titleFrom(messages: UIMessage[]): string {
  const first = messages.find((m) => m.role === "user");
  const text = first?.parts.map((p) => (p.type === "text" ? p.text : "")).join(" ").trim() ?? "";
  return text ? (text.length > 60 ? `${text.slice(0, 57)}…` : text) : NEW_CHAT_TITLE;
}

export interface ChatDeps {
  gateway: Gateway;
  now: () => number;
  /** One message as stored: its JSON, parts and all. */
  maxMessageBytes: number;
}

export interface ChatTurn {
  viewer: Viewer;
  /** The page's JSON body, already read under the route's size limit. */
  body: unknown;
  /** Aborts the reply when the page goes away. */
  signal: AbortSignal;
}

/**
 * Every message the page sends is stored when the reply ends, whatever the gateway made of it, so
 * an oversize one is refused here, before anything is looked up, called or kept.
 */
function assertMessagesFit(messages: unknown[], limit: number): void {
  messages.forEach((message, i) => {
    const size = Buffer.byteLength(JSON.stringify(message) ?? "");
    if (size > limit) {
      throw new GatewayError(413, `Message ${i + 1} is ${size} bytes; a message may be at most ${limit} bytes.`, { type: "invalid_request_error", code: "message_too_large", param: `messages[${i}]` });
    }
  });
}

export async function handleChat(turn: ChatTurn, deps: ChatDeps): Promise<Response> {
  const { viewer, signal } = turn;
  const { gateway, now } = deps;
  const body = parseInput(bodySchema, turn.body);
  assertMessagesFit(body.messages, deps.maxMessageBytes);
  const conversation = body.ephemeral ? null : await requireConversation(viewer.userId, body.id);
  const model = body.model ?? conversation?.model;
  if (!model) throw badRequest("Pick a model for this conversation.", "model");
  const caller = await callerOf(viewer);

  let messages: UIMessage[];
  try {
    messages = await validateUIMessages({ messages: body.messages });
  } catch (err) {
    throw badRequest(`Invalid messages: ${(err as Error).message}`, "messages");
  }

  let usage: UsageRecord | null = null;
  const provider = createOpenAICompatible({
    name: "switchyard",
    baseURL: "http://switchyard.internal/v1",
    includeUsage: true,
    fetch: async (input, init) =>
      toWebResponse(
        await gateway.chatCompletions(fromWebRequest(new Request(input, init)), {
          caller,
          conversationId: body.id,
          onUsage: (row) => (usage = row),
        }),
      ),
  });

  const result = streamText({
    model: provider.chatModel(model),
    // The conversation's settings, as stored: the page saves them before the next turn is sent.
    // `instructions` is streamText's current name for `system`: one system message, first.
    instructions: conversation?.systemPrompt ?? undefined,
    temperature: conversation?.temperature ?? undefined,
    messages: await convertToModelMessages(messages),
    abortSignal: signal,
    maxRetries: 0, // the gateway already retries where it is safe
    // The failure reaches the person through the stream and is recorded as a usage row; the SDK's
    // default handler would also dump every failed chat (each 429 included), request details and
    // all, to stderr as multi-line text among the JSON log lines.
    onError: () => {},
  });

  const metadataOf = (): ReplyMetadata | undefined => {
    const u = usage as UsageRecord | null;
    if (!u) return undefined;
    return {
      model: u.servedModel ?? model,
      variant: u.variant,
      promptTokens: u.promptTokens,
      completionTokens: u.completionTokens,
      costUsd: u.costMicros / 1_000_000,
      ttftMs: u.ttftMs,
      latencyMs: u.latencyMs,
    };
  };

  const stream = toUIMessageStream({
    stream: result.stream,
    originalMessages: messages,
    generateMessageId: () => `msg_${randomBytes(12).toString("hex")}`,
    onError: describeChatError,
    messageMetadata: ({ part }) => (part.type === "finish" ? metadataOf() : undefined),
    onEnd: async ({ messages: final }) => {
      if (!conversation) return;
      const rows = final.map((m) => ({
        id: m.id,
        role: m.role,
        parts: m.parts as unknown[],
        metadata: m.role === "assistant" ? ((m.metadata as Record<string, unknown> | undefined) ?? (metadataOf() as Record<string, unknown> | undefined) ?? null) : null,
      }));
      await replaceMessages({ conversationId: conversation.id, rows, now: now() });
      const patch: { title?: string; model?: string; updatedAt: number } = { updatedAt: now() };
      if (conversation.title === NEW_CHAT_TITLE) patch.title = titleFrom(final);
      // A model is remembered for the conversation only once it has actually answered.
      if (model !== conversation.model && (usage as UsageRecord | null)?.status === "ok") patch.model = model;
      await updateConversation({ id: conversation.id, userId: viewer.userId, patch });
    },
  });
  return createUIMessageStreamResponse({ stream });
}
