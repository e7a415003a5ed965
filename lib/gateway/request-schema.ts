/**
 * The OpenAI chat-completions request, validated strictly where the gateway relies on a field and
 * loosely elsewhere: unknown fields pass through to the upstream untouched.
 */
import { z } from "zod";
import { paramPath } from "../openai/param-path";
import { badRequest } from "./errors";

const finite = z.number().finite();
const nonNegInt = z.number().int().nonnegative();

const contentPart = z.looseObject({ type: z.string() });

const toolCall = z.looseObject({
  id: z.string(),
  type: z.string(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});

const tool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "must match ^[a-zA-Z0-9_-]+$"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);

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
