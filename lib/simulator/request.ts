// The part of an OpenAI chat-completions request the simulator reads; other fields are accepted and ignored.
import { z } from "zod";
import { contentPart, messageOf, toolChoice, toolOf } from "../openai/chat-request";
import { paramPath } from "../openai/param-path";

// Stricter than the gateway about a text part (its text must be a string) and looser about tool
// names (any non-empty one): the simulator reads the text, and does not police names.
const message = messageOf(contentPart.extend({ text: z.string().optional() }));
const tool = toolOf(z.string().min(1));

const maxTokens = z.number().int().positive().nullish();

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: maxTokens,
  max_completion_tokens: maxTokens,
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  response_format: z.looseObject({ type: z.string(), json_schema: z.looseObject({ schema: z.record(z.string(), z.unknown()).optional() }).optional() }).nullish(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = ChatRequest["messages"][number];
export type ChatTool = z.infer<typeof tool>;

export type ParsedRequest =
  | { ok: true; request: ChatRequest }
  | { ok: false; message: string; param: string | null };

/** Parses a raw body into a chat request, or an OpenAI-style complaint naming the offending parameter. */
export function parseChatRequest(body: string): ParsedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, param: null, message: "We could not parse the JSON body of your request." };
  }
  const result = chatRequestSchema.safeParse(json);
  if (result.success) return checkToolChoice(result.data);

  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const param = path.length === 0 ? null : paramPath(path);
  if (param === null) return { ok: false, param, message: "The request body must be a JSON object." };
  if (valueAt(json, path) === undefined) {
    return { ok: false, param, message: `Missing required parameter: '${param}'.` };
  }
  if (param === "messages" && issue?.code === "too_small") {
    return { ok: false, param, message: "Invalid 'messages': empty array. Expected an array with minimum length 1." };
  }
  return { ok: false, param, message: `Invalid value for '${param}': ${issue?.message ?? "invalid"}.` };
}

function checkToolChoice(request: ChatRequest): ParsedRequest {
  const choice = request.tool_choice;
  if (typeof choice !== "object" || !choice) return { ok: true, request };
  if (request.tools?.some((t) => t.function.name === choice.function.name)) return { ok: true, request };
  return { ok: false, param: "tool_choice", message: `Invalid 'tool_choice': no tool named '${choice.function.name}'.` };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
