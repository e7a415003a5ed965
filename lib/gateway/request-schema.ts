/**
 * The OpenAI chat-completions request, validated strictly where the gateway relies on a field and
 * loosely elsewhere: unknown fields pass through to the upstream untouched.
 */
import { z } from "zod";
import { message, tool, toolChoice } from "../openai/chat-request";
import { paramPath } from "../openai/param-path";
import { badRequest } from "./errors";

const finite = z.number().finite();
const nonNegInt = z.number().int().nonnegative();

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(message).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: nonNegInt.max(10_000_000).nullable().optional(),
  max_completion_tokens: nonNegInt.max(10_000_000).nullable().optional(),
  temperature: finite.min(0).max(2).nullable().optional(),
  top_p: finite.min(0).max(1).nullable().optional(),
  n: z.number().int().min(1).max(128).nullable().optional(),
  presence_penalty: finite.min(-2).max(2).nullable().optional(),
  frequency_penalty: finite.min(-2).max(2).nullable().optional(),
  user: z.string().max(512).optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;

export function parseChatRequest(json: unknown): ChatRequest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const result = chatRequestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = paramPath(issue.path);
    throw badRequest(`Invalid value for '${param || "body"}': ${issue.message}.`, param || null);
  }
  return result.data;
}

/** The output-token ceiling the client asked for, if any. */
export const requestedMaxTokens = (req: ChatRequest): number | null => req.max_completion_tokens ?? req.max_tokens ?? null;
