/**
 * A Responses API request (POST /v1/responses) validated, and translated to the chat-completions
 * request a provider that does not speak the Responses API is sent:
 *
 *   instructions                      → a system message first
 *   input (a string)                  → one user message
 *   message items (user, system,      → messages of that role: input_text → text part,
 *     developer, assistant)             input_image → image_url part, input_file → file part;
 *                                       an assistant's output_text → content, refusal → refusal
 *   function_call items               → tool_calls of an assistant message (consecutive calls,
 *                                       and the assistant text before them, are one message)
 *   function_call_output items        → tool messages
 *   reasoning items                   → left out (chat completions takes no reasoning back)
 *   tools (function)                  → tools; tool_choice and allowed_tools → tool_choice
 *   text.format json_schema / json_object → response_format; text.verbosity → verbosity
 *   max_output_tokens                 → max_completion_tokens (then the output ceiling's both fields)
 *   temperature, top_p, user, parallel_tool_calls, service_tier, prompt_cache_key,
 *   safety_identifier                 → the same fields; reasoning.effort → reasoning_effort
 *
 * What needs state the gateway does not keep (stored responses, previous_response_id,
 * conversations, background runs, stored prompts, item references) and tools the gateway cannot
 * run (web_search, file_search and the other built-in tools) are refused with a 400. Other fields
 * with no chat equivalent (metadata, include, truncation, …) are accepted and not sent.
 */
import { z } from "zod";
import { badRequest } from "./errors";
import { paramPath } from "../openai/param-path";
import type { EstimableRequest } from "./prompt-estimate";

type Json = Record<string, unknown>;

const finite = z.number().finite();
const nonNegInt = z.number().int().nonnegative();
const typed = z.looseObject({ type: z.string() });

const functionTool = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "must match ^[a-zA-Z0-9_-]+$"),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

const textFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "must match ^[a-zA-Z0-9_-]+$"),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(z.looseObject({ type: z.string().optional() })).min(1)]),
  instructions: z.string().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  store: z.boolean().nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullable().optional(),
  prompt: z.unknown().optional(),
  max_output_tokens: nonNegInt.max(10_000_000).nullable().optional(),
  temperature: finite.min(0).max(2).nullable().optional(),
  top_p: finite.min(0).max(1).nullable().optional(),
  user: z.string().max(512).optional(),
  safety_identifier: z.string().max(512).nullable().optional(),
  prompt_cache_key: z.string().max(1024).nullable().optional(),
  service_tier: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  tools: z.array(typed).max(128).optional(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), typed]).nullable().optional(),
  text: z.looseObject({ format: textFormat.optional(), verbosity: z.enum(["low", "medium", "high"]).nullable().optional() }).nullable().optional(),
  reasoning: z.looseObject({ effort: z.string().nullable().optional() }).nullable().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** The chat-completions request a Responses request becomes. */
export type ChatTranslation = Json & EstimableRequest & { messages: Json[]; max_completion_tokens?: number };

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Parses `value` (found at `at`) or throws a 400 naming the first offending parameter. */
function check<S extends z.ZodType>(schema: S, value: unknown, at: ReadonlyArray<PropertyKey>): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = paramPath([...at, ...issue.path]) || null;
  if (param && valueAt(value, issue.path) === undefined) {
    throw badRequest(`Missing required parameter: '${param}'.`, param, "missing_required_parameter");
  }
  throw badRequest(`Invalid value for '${param ?? "body"}': ${issue.message}.`, param);
}

const unsupported = (message: string, param: string) => badRequest(message, param, "unsupported_value");

const NOT_STORED = "this gateway does not keep responses; send the whole conversation in 'input' instead";

/** Fields that need responses or state stored on the server; refused rather than ignored. */
function refuseStoredState(req: ResponsesRequest): void {
  if (req.store === true) throw unsupported(`'store: true' is not supported: ${NOT_STORED}. Leave 'store' out or set it to false.`, "store");
  if (req.previous_response_id != null) throw unsupported(`'previous_response_id' is not supported: ${NOT_STORED}.`, "previous_response_id");
  if (req.conversation != null) throw unsupported(`'conversation' is not supported: ${NOT_STORED}.`, "conversation");
  if (req.background === true) throw unsupported("'background: true' is not supported: background responses must be stored, and this gateway does not keep responses.", "background");
  if (req.prompt != null) throw unsupported("'prompt' (a stored prompt template) is not supported: send the instructions and input themselves.", "prompt");
}

const ROLES = ["user", "assistant", "system", "developer"] as const;
const messageItem = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(ROLES),
  content: z.union([z.string(), z.array(typed)]),
});
const functionCallItem = z.looseObject({ type: z.literal("function_call"), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const functionCallOutputItem = z.looseObject({ type: z.literal("function_call_output"), call_id: z.string().min(1), output: z.union([z.string(), z.array(typed)]) });

const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().nullable().optional(),
  file_id: z.string().nullable().optional(),
  detail: z.string().optional(),
});
const inputFile = z.looseObject({
  type: z.literal("input_file"),
  file_data: z.string().optional(),
  file_id: z.string().nullable().optional(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const PARTS_BY_ROLE: Record<(typeof ROLES)[number], readonly string[]> = {
  user: ["input_text", "input_image", "input_file"],
  system: ["input_text"],
  developer: ["input_text"],
  assistant: ["output_text", "refusal"],
};

function partTypeError(type: string, allowed: readonly string[], param: string) {
  return badRequest(`Invalid value: '${type}'. Supported values here are: ${allowed.map((t) => `'${t}'`).join(", ")}.`, param);
}

/** A user, system or developer content part as chat completions has it. */
function inputPart(part: Json, role: (typeof ROLES)[number], at: PropertyKey[]): Json {
  const type = String(part.type);
  const allowed = PARTS_BY_ROLE[role];
  if (!allowed.includes(type)) throw partTypeError(type, allowed, paramPath([...at, "type"]));
  if (type === "input_text") return { type: "text", text: check(inputText, part, at).text };
  if (type === "input_image") {
    const image = check(inputImage, part, at);
    if (!image.image_url) throw unsupported("An input_image needs an 'image_url' (an https or data: URL) here; images by file_id are not supported.", paramPath([...at, "image_url"]));
    return { type: "image_url", image_url: { url: image.image_url, ...(image.detail ? { detail: image.detail } : {}) } };
  }
  const file = check(inputFile, part, at);
  if (file.file_data) return { type: "file", file: { file_data: file.file_data, ...(file.filename ? { filename: file.filename } : {}) } };
  if (file.file_id) return { type: "file", file: { file_id: file.file_id } };
  throw unsupported("An input_file needs 'file_data' or 'file_id' here; files by URL are not supported.", paramPath([...at, "file_url"]));
}

function messageFor(item: z.infer<typeof messageItem>, at: PropertyKey[]): Json {
  const { role, content } = item;
  if (role !== "assistant") {
    if (typeof content === "string") return { role, content };
    return { role, content: content.map((part, i) => inputPart(part, role, [...at, "content", i])) };
  }
  if (typeof content === "string") return { role, content };
  let text = "";
  let refusal = "";
  content.forEach((part, i) => {
    const p = [...at, "content", i];
    if (part.type === "output_text") text += check(outputText, part, p).text;
    else if (part.type === "refusal") refusal += check(refusalPart, part, p).refusal;
    else throw partTypeError(part.type, PARTS_BY_ROLE.assistant, paramPath([...p, "type"]));
  });
  return { role, content: text || (refusal ? null : ""), ...(refusal ? { refusal } : {}) };
}

/** A tool result: text, or text parts (a chat tool message carries nothing else). */
function toolOutput(output: string | Json[], at: PropertyKey[]): string | Json[] {
  if (typeof output === "string") return output;
  return output.map((part, i) => {
    const p = [...at, "output", i];
    if (part.type !== "input_text") throw unsupported(`A function_call_output can carry only 'input_text' parts here, not '${String(part.type)}'.`, paramPath([...p, "type"]));
    return { type: "text", text: check(inputText, part, p).text };
  });
}

function messagesFor(req: ResponsesRequest): Json[] {
  const messages: Json[] = [];
  if (req.instructions) messages.push({ role: "system", content: req.instructions });
  if (typeof req.input === "string") {
    messages.push({ role: "user", content: req.input });
    return messages;
  }
  // The assistant message that function calls right after it join.
  let open: Json | null = null;
  req.input.forEach((item, i) => {
    const at: PropertyKey[] = ["input", i];
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    if (type === "message") {
      const m = messageFor(check(messageItem, item, at), at);
      messages.push(m);
      open = m.role === "assistant" ? m : null;
    } else if (type === "function_call") {
      const call = check(functionCallItem, item, at);
      if (!open) messages.push((open = { role: "assistant", content: null }));
      const calls = ((open.tool_calls as Json[] | undefined) ??= []);
      calls.push({ id: call.call_id, type: "function", function: { name: call.name, arguments: call.arguments } });
    } else if (type === "function_call_output") {
      const result = check(functionCallOutputItem, item, at);
      messages.push({ role: "tool", tool_call_id: result.call_id, content: toolOutput(result.output, at) });
      open = null;
    } else if (type === "reasoning") {
      // What the model thought is not something a chat-completions upstream takes back.
    } else if (type === "item_reference") {
      throw unsupported(`Input items of type 'item_reference' are not supported: ${NOT_STORED}.`, paramPath([...at, "type"]));
    } else if (type === undefined) {
      throw badRequest(`Missing required parameter: '${paramPath([...at, "role"])}'.`, paramPath([...at, "role"]), "missing_required_parameter");
    } else {
      throw unsupported(
        `Input items of type '${type}' are not supported: this gateway takes 'message', 'function_call', 'function_call_output' and 'reasoning' items.`,
        paramPath([...at, "type"]),
      );
    }
  });
  return messages;
}

function toolsFor(req: ResponsesRequest): Json[] | undefined {
  if (!req.tools) return undefined;
  return req.tools.map((tool, i) => {
    if (tool.type !== "function") {
      throw unsupported(`Tools of type '${tool.type}' are not supported: only function tools are; built-in tools such as web_search and file_search are not run by this gateway.`, `tools[${i}].type`);
    }
    const t = check(functionTool, tool, ["tools", i]);
    const fn: Json = { name: t.name };
    if (t.description != null) fn.description = t.description;
    if (t.parameters != null) fn.parameters = t.parameters;
    if (t.strict != null) fn.strict = t.strict;
    return { type: "function", function: fn };
  });
}

const functionChoice = z.looseObject({ type: z.literal("function"), name: z.string().min(1) });
const allowedTools = z.looseObject({
  type: z.literal("allowed_tools"),
  mode: z.enum(["auto", "required"]),
  tools: z.array(z.looseObject({ type: z.literal("function"), name: z.string().min(1) })),
});

/** tool_choice, and the tools left once `allowed_tools` has narrowed them (chat upstreams rarely know allowed_tools). */
function toolChoiceFor(req: ResponsesRequest, tools: Json[] | undefined): { toolChoice?: unknown; tools?: Json[] } {
  const choice = req.tool_choice;
  if (choice == null) return { tools };
  if (typeof choice === "string") return { toolChoice: choice, tools };
  if (choice.type === "function") return { toolChoice: { type: "function", function: { name: check(functionChoice, choice, ["tool_choice"]).name } }, tools };
  if (choice.type === "allowed_tools") {
    const allowed = check(allowedTools, choice, ["tool_choice"]);
    const names = new Set(allowed.tools.map((t) => t.name));
    return { toolChoice: allowed.mode, tools: (tools ?? []).filter((t) => names.has((t.function as Json).name as string)) };
  }
  throw unsupported(`A tool_choice of type '${choice.type}' is not supported: only 'none', 'auto', 'required', a function or allowed function tools are.`, "tool_choice.type");
}

function responseFormatFor(req: ResponsesRequest): Json | undefined {
  const format = req.text?.format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return { type: "json_object" };
  const { name, schema, description, strict } = format;
  return { type: "json_schema", json_schema: { name, schema, ...(description !== undefined ? { description } : {}), ...(strict != null ? { strict } : {}) } };
}

export function parseResponsesRequest(json: unknown): ResponsesRequest {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw badRequest("The request body must be a JSON object.", null, "invalid_body");
  }
  const req = check(responsesRequestSchema, json, []);
  refuseStoredState(req);
  return req;
}

/** The chat-completions body for a validated Responses request (see the table above). */
export function toChatRequest(req: ResponsesRequest): ChatTranslation {
  const messages = messagesFor(req);
  const { toolChoice, tools } = toolChoiceFor(req, toolsFor(req));
  const body: ChatTranslation = { model: req.model, messages };
  if (req.stream) body.stream = true;
  if (tools?.length) body.tools = tools;
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (req.parallel_tool_calls != null && tools?.length) body.parallel_tool_calls = req.parallel_tool_calls;
  const format = responseFormatFor(req);
  if (format) body.response_format = format;
  if (req.text?.verbosity != null) body.verbosity = req.text.verbosity;
  if (req.max_output_tokens != null) body.max_completion_tokens = req.max_output_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (req.reasoning?.effort != null) body.reasoning_effort = req.reasoning.effort;
  for (const field of ["user", "safety_identifier", "prompt_cache_key", "service_tier"] as const) {
    if (req[field] != null) body[field] = req[field];
  }
  return body;
}
