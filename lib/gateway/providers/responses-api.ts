/**
 * OpenAI's Responses API spoken by an OpenAI-compatible provider itself (its settings say so):
 * the client's request goes to {base}/responses, and the answer, a Response object or its event
 * stream, is read into the gateway's events for accounting (text, refusals, reasoning, function
 * calls, usage, how it finished, failures) while each event keeps its own text, so the Responses
 * door passes the upstream's answer on as it was sent.
 */
import { relayedError } from "../upstream-error";
import type { Redactor } from "../redact";
import { baseOf } from "./openai-compatible";
import type { ChatEvent, FinishReason, Frame, StreamDecoder, UpstreamWire } from "./types";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

function usageOf(response: Json): ChatEvent | null {
  const u = response.usage;
  if (!isObject(u) || typeof u.input_tokens !== "number" || typeof u.output_tokens !== "number") return null;
  return { type: "usage", promptTokens: u.input_tokens, completionTokens: u.output_tokens };
}

function startOf(response: Json): ChatEvent {
  return { type: "start", id: str(response.id), model: str(response.model), created: typeof response.created_at === "number" ? response.created_at : 0 };
}

/** How a finished response ended, as a chat finish reason; null while it is not finished. */
function finishOf(response: Json, calledTools: boolean): FinishReason | null {
  if (response.status === "incomplete") {
    const details = isObject(response.incomplete_details) ? response.incomplete_details : {};
    return details.reason === "content_filter" ? "content_filter" : "length";
  }
  if (response.status === "completed") return calledTools ? "tool_calls" : "stop";
  return null;
}

function failureOf(error: unknown, redact: Redactor): ChatEvent {
  // Rebuilt from its fields, never relayed verbatim: upstreams quote the key they were sent.
  const e = relayedError({ error }, redact);
  return { type: "error", message: e?.message ?? "The upstream's response failed.", errorType: e?.type ?? "upstream_error", code: e?.code ?? null, param: e?.param ?? null };
}

/** A whole Response object as events; null when it is not one. */
export function parseResponseBody(text: string): Frame | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(json) || json.object !== "response") return null;
  const events: ChatEvent[] = [startOf(json)];
  let calls = 0;
  for (const item of Array.isArray(json.output) ? json.output : []) {
    if (!isObject(item)) continue;
    if (item.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content as Json[]) {
        if (part?.type === "output_text" && str(part.text)) events.push({ type: "delta", choice: 0, kind: "content", text: str(part.text) });
        if (part?.type === "refusal" && str(part.refusal)) events.push({ type: "delta", choice: 0, kind: "refusal", text: str(part.refusal) });
      }
    } else if (item.type === "function_call") {
      events.push({ type: "tool-call", choice: 0, index: calls++, id: str(item.call_id), name: str(item.name), arguments: str(item.arguments) });
    } else if (item.type === "reasoning" && Array.isArray(item.content)) {
      for (const part of item.content as Json[]) if (str(part?.text)) events.push({ type: "delta", choice: 0, kind: "reasoning", text: str(part.text) });
    }
  }
  const finish = finishOf(json, calls > 0);
  if (finish) events.push({ type: "finish", choice: 0, reason: finish });
  const usage = usageOf(json);
  if (usage) events.push(usage);
  return { raw: null, events, native: { text, event: null } };
}

/** Responses API stream events as frames: every event is one, so each passes on as it came. */
export function responseEventDecoder(redact: Redactor): StreamDecoder {
  // output_index of each function call → its position among the calls.
  const calls = new Map<number, number>();
  return {
    decode(message) {
      if (message.data === "[DONE]") return "done";
      let event: Json;
      try {
        event = JSON.parse(message.data);
      } catch {
        return "invalid";
      }
      if (!isObject(event)) return "invalid";
      const native = { text: message.data, event: message.event ?? null };
      const events: ChatEvent[] = [];
      const delta = (kind: "content" | "reasoning" | "refusal") => {
        if (str(event.delta)) events.push({ type: "delta", choice: 0, kind, text: str(event.delta) });
      };
      const response = isObject(event.response) ? event.response : {};
      switch (event.type) {
        case "response.created":
          events.push(startOf(response));
          break;
        case "response.output_text.delta":
          delta("content");
          break;
        case "response.refusal.delta":
          delta("refusal");
          break;
        case "response.reasoning_text.delta":
        case "response.reasoning_summary_text.delta":
          delta("reasoning");
          break;
        case "response.output_item.added": {
          const item = isObject(event.item) ? event.item : {};
          if (item.type !== "function_call" || typeof event.output_index !== "number") break;
          const index = calls.size;
          calls.set(event.output_index, index);
          events.push({ type: "tool-call", choice: 0, index, id: str(item.call_id), name: str(item.name), arguments: str(item.arguments) });
          break;
        }
        case "response.function_call_arguments.delta": {
          const index = typeof event.output_index === "number" ? calls.get(event.output_index) : undefined;
          if (index !== undefined && str(event.delta)) events.push({ type: "tool-call", choice: 0, index, arguments: str(event.delta) });
          break;
        }
        case "response.completed":
        case "response.incomplete": {
          const finish = finishOf(response, calls.size > 0);
          if (finish) events.push({ type: "finish", choice: 0, reason: finish });
          const usage = usageOf(response);
          if (usage) events.push(usage);
          break;
        }
        case "response.failed":
          events.push(failureOf(response.error, redact));
          break;
        case "error":
          events.push(failureOf(isObject(event.error) ? event.error : event, redact));
          break;
      }
      return { raw: null, events, native };
    },
  };
}

export const responsesApi: UpstreamWire = {
  call(provider, model, body, stream, signal) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      "user-agent": "switchyard",
      ...(provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {}),
    };
    return { url: `${baseOf(provider)}/responses`, headers, body: JSON.stringify({ ...body, model: model.upstreamModel, stream }), signal };
  },
  parseBody: parseResponseBody,
  decoder: responseEventDecoder,
};
