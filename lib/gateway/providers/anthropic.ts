/**
 * Anthropic's Messages API behind the OpenAI chat-completions door: the request becomes a Messages
 * body, and the answer (a message, or its event stream) becomes the gateway's events, so OpenAI
 * clients can use Claude models without a relay in between.
 */
import { badRequest } from "../errors";
import { DEFAULT_MAX_OUTPUT_TOKENS } from "../output-ceiling";
import type { Redactor } from "../redact";
import { relayedError } from "../upstream-error";
import type { ModelConfig, ProviderConfig } from "../types";
import { baseOf, openAiFailure, parseModelList } from "./openai-compatible";
import type { AttemptFailure, ChatEvent, FinishReason, Frame, ProviderAdapter, StreamDecoder, UpstreamErrorAnswer } from "./types";

export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Anthropic requires the conversation to open with a user turn; OpenAI does not (a chat that opens
 * with the assistant's greeting, or a system prompt alone). Such a conversation gets this user turn
 * in front rather than being refused.
 */
export const OPENING_USER_TURN = "(conversation start)";

type Json = Record<string, unknown>;
type Block = Json;
interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `<base>/v1/<path>`, whether or not the admin's base URL already ends in /v1. */
export function endpoint(provider: ProviderConfig, path: string): string {
  const base = baseOf(provider);
  return `${base}${base.endsWith("/v1") ? "" : "/v1"}/${path}`;
}

function headersOf(provider: ProviderConfig, accept: string): Record<string, string> {
  return {
    accept,
    "user-agent": "switchyard",
    "anthropic-version": ANTHROPIC_VERSION,
    ...(provider.apiKey ? { "x-api-key": provider.apiKey } : {}),
  };
}

const unsupported = (message: string, param: string) => badRequest(message, param, "unsupported_value");

/** The text of a content string or of its text parts; other parts have no place here. */
function textOf(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: Json, i) => {
      // An assistant message echoed back may hold OpenAI's refusal parts: what the model said.
      if (part.type === "refusal") return str(part.refusal) ?? "";
      if (part.type !== "text") throw unsupported(`Anthropic accepts only text parts here, not '${String(part.type)}'.`, `${param}[${i}]`);
      return str(part.text) ?? "";
    })
    .join("");
}

function imageBlock(part: Json, param: string): Block {
  const image = part.image_url;
  const url = isObject(image) ? str(image.url) : str(image);
  if (!url) throw badRequest("An image_url part needs a url.", `${param}.image_url.url`);
  if (!url.startsWith("data:")) return { type: "image", source: { type: "url", url } };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!data) throw badRequest("An image given as a data: URL must be base64-encoded (data:<type>;base64,…).", `${param}.image_url.url`);
  return { type: "image", source: { type: "base64", media_type: data[1], data: data[2] } };
}

function userBlocks(content: unknown, param: string): Block[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: Json, i): Block[] => {
    const at = `${param}[${i}]`;
    if (part.type === "text") return str(part.text) ? [{ type: "text", text: part.text }] : [];
    if (part.type === "image_url") return [imageBlock(part, at)];
    throw unsupported(`Anthropic does not accept content parts of type '${String(part.type)}'.`, at);
  });
}

function assistantBlocks(m: Json, param: string): Block[] {
  // Anthropic refuses empty text blocks; an empty assistant turn is left out.
  const text = textOf(m.content, `${param}.content`);
  const blocks: Block[] = text ? [{ type: "text", text }] : [];
  const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as Json[]) : [];
  calls.forEach((call, i) => {
    const fn = (call.function ?? {}) as Json;
    const at = `${param}.tool_calls[${i}].function.arguments`;
    let input: unknown;
    try {
      input = JSON.parse(str(fn.arguments) || "{}");
    } catch {
      throw badRequest("A tool call's arguments must be valid JSON.", at);
    }
    if (!isObject(input)) throw badRequest("A tool call's arguments must be a JSON object.", at);
    blocks.push({ type: "tool_use", id: call.id, name: fn.name, input });
  });
  return blocks;
}

/**
 * System and developer messages become the top-level system prompt; the rest become turns,
 * consecutive turns of one role merged (Anthropic requires them to alternate; tool results are
 * the user's).
 */
export function mapMessages(messages: Json[]): { system: string | undefined; turns: Turn[] } {
  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn["role"], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  messages.forEach((m, i) => {
    const param = `messages[${i}]`;
    if (m.role === "system" || m.role === "developer") {
      const text = textOf(m.content, `${param}.content`);
      if (text) system.push(text);
    } else if (m.role === "user") push("user", userBlocks(m.content, `${param}.content`));
    else if (m.role === "assistant") push("assistant", assistantBlocks(m, param));
    else if (m.role === "tool") {
      const id = str(m.tool_call_id);
      if (!id) throw badRequest("A tool message needs the tool_call_id it answers.", `${param}.tool_call_id`);
      push("user", [{ type: "tool_result", tool_use_id: id, content: textOf(m.content, `${param}.content`) }]);
    } else throw unsupported(`Anthropic does not accept messages with role '${String(m.role)}'; send tool results with role 'tool'.`, `${param}.role`);
  });
  if (turns[0]?.role !== "user") turns.unshift({ role: "user", content: [{ type: "text", text: OPENING_USER_TURN }] });
  return { system: system.length > 0 ? system.join("\n\n") : undefined, turns };
}

function toolChoiceOf(choice: unknown, serial: boolean): Json | undefined {
  let out: Json | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice === "none") out = { type: "none" };
  else if (isObject(choice) && isObject(choice.function)) out = { type: "tool", name: choice.function.name };
  // OpenAI's switch is on the request; Anthropic's on the tool choice ("none" has no tools to parallelize).
  if (serial && out?.type !== "none") out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

/** The Messages body for an OpenAI chat-completions body. Fields without an Anthropic equivalent are dropped: Anthropic rejects unknown fields. */
export function messagesBody(body: Json, model: ModelConfig, stream: boolean): Json {
  if (typeof body.n === "number" && body.n > 1) throw badRequest("Anthropic does not support n > 1: ask for one choice per request.", "n", "unsupported_parameter");
  const { system, turns } = mapMessages(Array.isArray(body.messages) ? (body.messages as Json[]) : []);
  const out: Json = {
    model: model.upstreamModel,
    // Required by Anthropic; the gateway has usually set both OpenAI fields to its output ceiling.
    max_tokens: num(body.max_tokens) ?? num(body.max_completion_tokens) ?? DEFAULT_MAX_OUTPUT_TOKENS,
    messages: turns,
  };
  if (system !== undefined) out.system = system;
  const temperature = num(body.temperature);
  // OpenAI's range is 0–2, Anthropic's 0–1.
  if (temperature !== undefined) out.temperature = Math.min(1, Math.max(0, temperature));
  if (num(body.top_p) !== undefined) out.top_p = body.top_p;
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === "string") : [];
  if (stop.length > 0) out.stop_sequences = stop;
  if (str(body.user)) out.metadata = { user_id: body.user };
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  if (tools.length > 0) {
    out.tools = tools.map((t) => {
      const fn = (t.function ?? {}) as Json;
      return { name: fn.name, ...(str(fn.description) ? { description: fn.description } : {}), input_schema: isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} } };
    });
    const choice = toolChoiceOf(body.tool_choice, body.parallel_tool_calls === false);
    if (choice) out.tool_choice = choice;
  }
  if (stream) out.stream = true;
  return out;
}

function finishOf(reason: unknown): FinishReason | null {
  if (typeof reason !== "string") return null;
  if (reason === "max_tokens" || reason === "model_context_window_exceeded") return "length";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "refusal") return "content_filter";
  return "stop";
}

/** Prompt tokens as OpenAI counts them: cached and cache-writing input included. */
function promptOf(usage: unknown): number | null {
  if (!isObject(usage) || num(usage.input_tokens) === undefined) return null;
  return (usage.input_tokens as number) + (num(usage.cache_creation_input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0);
}

const startOf = (m: Json): ChatEvent => ({ type: "start", id: str(m.id) ?? "", model: str(m.model) ?? "", created: 0 });

/** A whole message as events; null when the body is not one. */
export function parseMessage(text: string): Frame | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(json) || !Array.isArray(json.content)) return null;
  const events: ChatEvent[] = [startOf(json)];
  let tools = 0;
  for (const block of json.content as Json[]) {
    if (block?.type === "text" && str(block.text)) events.push({ type: "delta", choice: 0, kind: "content", text: block.text as string });
    else if (block?.type === "thinking" && str(block.thinking)) events.push({ type: "delta", choice: 0, kind: "reasoning", text: block.thinking as string });
    else if (block?.type === "tool_use") {
      events.push({ type: "tool-call", choice: 0, index: tools++, id: str(block.id) ?? "", name: str(block.name) ?? "", arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const reason = finishOf(json.stop_reason);
  if (reason) events.push({ type: "finish", choice: 0, reason });
  const prompt = promptOf(json.usage);
  const completion = isObject(json.usage) ? num(json.usage.output_tokens) : undefined;
  if (prompt !== null && completion !== undefined) events.push({ type: "usage", promptTokens: prompt, completionTokens: completion });
  return { raw: null, events };
}

/** Anthropic's error types as OpenAI's; Anthropic's own type stays as the code when they differ. */
function openAiError(type: string | null, fallback: string): { type: string; code: string | null } {
  const mapped =
    type === "invalid_request_error" || type === "not_found_error" || type === "request_too_large"
      ? "invalid_request_error"
      : type === "rate_limit_error"
        ? "rate_limit_error"
        : type === "api_error" || type === "overloaded_error"
          ? "upstream_error"
          : fallback;
  return { type: mapped, code: type && type !== mapped ? type : null };
}

/** An error answer ({"type":"error","error":{type,message}}) mapped as the OpenAI adapter maps its own. */
export function anthropicFailure(answer: UpstreamErrorAnswer, redact: Redactor): AttemptFailure {
  let relayed = null;
  try {
    relayed = relayedError(JSON.parse(answer.text), redact);
  } catch {
    // a non-JSON error body is not worth more than its status
  }
  if (!relayed) return openAiFailure(answer, redact);
  const { type, code } = openAiError(relayed.type, "invalid_request_error");
  return openAiFailure({ ...answer, text: JSON.stringify({ error: { message: relayed.message, type, code, param: null } }) }, redact);
}

/**
 * The Messages event stream as frames. The answer's identity from message_start waits for the
 * first frame with output, so an error event right after it (overloaded) still fails the attempt
 * before anything is committed, and can be retried.
 */
export function messageEventDecoder(redact: Redactor): StreamDecoder {
  let start: ChatEvent | null = null;
  let prompt = 0;
  let toolCount = 0;
  // Content block index → the tool call's position among the answer's tool calls.
  const tools = new Map<number, { index: number; sentArguments: boolean }>();
  const frame = (events: ChatEvent[]): Frame | null => {
    if (events.length === 0) return null;
    if (start) events.unshift(start);
    start = null;
    return { raw: null, events };
  };
  return {
    decode(message) {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return "invalid";
      }
      if (!isObject(data)) return "invalid";
      const block = num(data.index) ?? -1;
      switch (str(data.type) ?? message.event) {
        case "message_start": {
          const m = isObject(data.message) ? data.message : {};
          start = startOf(m);
          prompt = promptOf(m.usage) ?? 0;
          return null;
        }
        case "content_block_start": {
          const b = isObject(data.content_block) ? data.content_block : {};
          if (b.type === "tool_use") {
            const index = toolCount++;
            tools.set(block, { index, sentArguments: false });
            return frame([{ type: "tool-call", choice: 0, index, id: str(b.id) ?? "", name: str(b.name) ?? "", arguments: "" }]);
          }
          if (b.type === "text" && str(b.text)) return frame([{ type: "delta", choice: 0, kind: "content", text: b.text as string }]);
          return null;
        }
        case "content_block_delta": {
          const d = isObject(data.delta) ? data.delta : {};
          if (d.type === "text_delta" && str(d.text)) return frame([{ type: "delta", choice: 0, kind: "content", text: d.text as string }]);
          if (d.type === "thinking_delta" && str(d.thinking)) return frame([{ type: "delta", choice: 0, kind: "reasoning", text: d.thinking as string }]);
          const tool = tools.get(block);
          if (d.type === "input_json_delta" && tool && str(d.partial_json)) {
            tool.sentArguments = true;
            return frame([{ type: "tool-call", choice: 0, index: tool.index, arguments: d.partial_json as string }]);
          }
          return null;
        }
        case "content_block_stop": {
          // A call without input streams no pieces; OpenAI clients expect its arguments to parse.
          const tool = tools.get(block);
          if (!tool || tool.sentArguments) return null;
          tool.sentArguments = true;
          return frame([{ type: "tool-call", choice: 0, index: tool.index, arguments: "{}" }]);
        }
        case "message_delta": {
          const events: ChatEvent[] = [];
          const reason = finishOf(isObject(data.delta) ? data.delta.stop_reason : null);
          if (reason) events.push({ type: "finish", choice: 0, reason });
          // Its counts are cumulative; newer API versions repeat the input counts here too.
          const output = isObject(data.usage) ? num(data.usage.output_tokens) : undefined;
          if (output !== undefined) events.push({ type: "usage", promptTokens: promptOf(data.usage) ?? prompt, completionTokens: output });
          return frame(events);
        }
        case "message_stop":
          return "done";
        case "error": {
          // Rebuilt from its fields, never relayed verbatim: upstreams quote the key they were sent.
          const e = relayedError(data, redact);
          const { type, code } = openAiError(e?.type ?? null, "upstream_error");
          return frame([{ type: "error", message: e?.message ?? "The upstream sent an error event.", errorType: type, code, param: null }]);
        }
        default:
          // ping, and event types added after this adapter was written
          return null;
      }
    },
  };
}

export const anthropic: ProviderAdapter = {
  kind: "anthropic",
  chatCall(provider, model, body, stream, signal) {
    const headers = { ...headersOf(provider, stream ? "text/event-stream" : "application/json"), "content-type": "application/json" };
    return { url: endpoint(provider, "messages"), headers, body: JSON.stringify(messagesBody(body, model, stream)), signal };
  },
  send: (deps, _model, call) => deps.http(call),
  failure: anthropicFailure,
  parseBody: parseMessage,
  decoder: messageEventDecoder,
  // Anthropic pages its list (20 by default); one page of its maximum size holds every model.
  fetchModels: (io, provider, signal) => io.get(endpoint(provider, "models?limit=1000"), headersOf(provider, "application/json"), signal),
  parseModels: parseModelList,
};
