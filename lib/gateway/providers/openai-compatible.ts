/** Any OpenAI-compatible upstream (OpenAI, OpenRouter, Ollama, vLLM, relays): a base URL and a bearer key. */
import { GatewayError, upstreamError } from "../errors";
import { acceptedFields } from "../output-ceiling";
import { redactValue, type Redactor } from "../redact";
import { isRetryableStatus } from "../retry-policy";
import { relayedError } from "../upstream-error";
import type { ModelConfig, ProviderConfig } from "../types";
import type { AttemptFailure, ChatEvent, UpstreamErrorAnswer, FinishReason, Frame, ProviderAdapter, StreamDecoder } from "./types";

/**
 * The body the upstream sees: the client's, untouched except for the model name, usage reporting
 * and the output-limit fields the model's upstream accepts.
 */
export function upstreamBody(clientBody: Record<string, unknown>, model: ModelConfig, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ...acceptedFields(clientBody, model.maxTokensField), model: model.upstreamModel };
  if (stream) {
    const opts = clientBody.stream_options;
    body.stream_options = { ...(opts && typeof opts === "object" ? opts : {}), include_usage: true };
  }
  return body;
}

export function baseOf(provider: ProviderConfig): string {
  return (provider.baseUrl ?? "").replace(/\/+$/, "");
}

function authHeaders(provider: ProviderConfig): Record<string, string> {
  return provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {};
}

/**
 * An upstream error answer as what the client sees: the upstream's own message for its 4xx, the
 * gateway's words for what is the gateway's configuration (redirects, refused credentials).
 */
export function openAiFailure(answer: UpstreamErrorAnswer, redact: Redactor): AttemptFailure {
  const { status, headers } = answer;
  let relayed = null;
  try {
    relayed = relayedError(JSON.parse(answer.text), redact);
  } catch {
    // a non-JSON error body is not worth more than its status
  }
  const message = relayed?.message ?? `upstream answered HTTP ${status}`;
  if (status >= 300 && status < 400) {
    // Redirects are not followed (each hop would have to pass the egress policy again): the
    // provider's base URL needs fixing, which is the gateway's configuration, not the client's.
    const location = redactValue(redact, headers.get("location"));
    return { retryable: false, fault: true, error: upstreamError(`The upstream answered with a redirect (HTTP ${status}${location ? ` to ${location}` : ""}); set the provider's base URL to where it points.`) };
  }
  if (status === 401 || status === 403) {
    return { retryable: false, fault: true, error: upstreamError(`The upstream provider refused the gateway's credentials (HTTP ${status}).`) };
  }
  if (!isRetryableStatus(status)) {
    return { retryable: false, fault: false, error: new GatewayError(status, message, { type: relayed?.type ?? "invalid_request_error", code: relayed?.code ?? null, param: relayed?.param ?? null }) };
  }
  // When the gateway gives up on an upstream 429, the client still learns how long to wait.
  const retryAfter = headers.get("retry-after");
  const error =
    status === 429
      ? new GatewayError(429, `Upstream rate limit: ${message}`, { type: "rate_limit_error", code: "upstream_rate_limited", headers: retryAfter ? { "retry-after": retryAfter } : {} })
      : upstreamError(`Upstream error (HTTP ${status}): ${message}`);
  return { retryable: true, fault: true, error };
}

type Json = Record<string, unknown>;
const FINISH_REASONS = new Set<string>(["stop", "length", "tool_calls", "content_filter", "function_call"]);

function finishOf(value: unknown): FinishReason | null {
  return typeof value === "string" && FINISH_REASONS.has(value) ? (value as FinishReason) : value ? "stop" : null;
}

function usageOf(u: unknown): ChatEvent | null {
  const usage = u as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
  if (!usage || typeof usage.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number") return null;
  return { type: "usage", promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

/** The events of a message or a delta: text, reasoning, refusal, tool calls (and the legacy function call). */
function pushOutput(out: ChatEvent[], choice: number, m: Json) {
  const text = (kind: "content" | "reasoning" | "refusal", v: unknown) => {
    if (typeof v === "string" && v) out.push({ type: "delta", choice, kind, text: v });
  };
  text("content", m.content);
  // Reasoning text some OpenAI-compatible servers send (DeepSeek, OpenRouter); billed as output.
  text("reasoning", m.reasoning_content);
  text("reasoning", m.reasoning);
  text("refusal", m.refusal);
  const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as Json[]) : [];
  calls.forEach((call, position) => {
    const fn = (call?.function ?? {}) as Json;
    out.push({
      type: "tool-call",
      choice,
      index: typeof call?.index === "number" ? call.index : position,
      ...(typeof call?.id === "string" ? { id: call.id } : {}),
      ...(typeof fn.name === "string" ? { name: fn.name } : {}),
      arguments: typeof fn.arguments === "string" ? fn.arguments : "",
    });
  });
  const fc = m.function_call as Json | undefined;
  if (fc && typeof fc === "object") {
    out.push({ type: "tool-call", choice, index: 0, ...(typeof fc.name === "string" ? { name: fc.name } : {}), arguments: typeof fc.arguments === "string" ? fc.arguments : "" });
  }
}

function startOf(json: Json): ChatEvent {
  return {
    type: "start",
    id: typeof json.id === "string" ? json.id : "",
    model: typeof json.model === "string" ? json.model : "",
    created: typeof json.created === "number" ? json.created : 0,
  };
}

/** A chat.completion body as events; null when it is not one. */
export function parseChatCompletion(text: string): Frame | null {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) return null;
  const events: ChatEvent[] = [startOf(json)];
  const choices = Array.isArray(json.choices) ? (json.choices as Json[]) : [];
  choices.forEach((c, position) => {
    const choice = typeof c?.index === "number" ? c.index : position;
    if (c?.message && typeof c.message === "object") pushOutput(events, choice, c.message as Json);
    const reason = finishOf(c?.finish_reason);
    if (reason) events.push({ type: "finish", choice, reason });
  });
  const usage = usageOf(json.usage);
  if (usage) events.push(usage);
  return { raw: text, events };
}

/** Stream chunks as events; the chunk itself stays the frame's raw text. */
export function chatChunkDecoder(redact: Redactor): StreamDecoder {
  let started = false;
  return {
    decode(message) {
      const data = message.data;
      if (data === "[DONE]") return "done";
      let chunk: Json;
      try {
        chunk = JSON.parse(data);
      } catch {
        return "invalid";
      }
      if (!chunk || typeof chunk !== "object") return "invalid";
      if (chunk.error) {
        // Rebuilt from its fields, never relayed verbatim: upstreams quote the key they were sent.
        const e = relayedError(chunk, redact);
        return { raw: null, events: [{ type: "error", message: e?.message ?? "The upstream sent an error event.", errorType: e?.type ?? "upstream_error", code: e?.code ?? null, param: e?.param ?? null }] };
      }
      const events: ChatEvent[] = [];
      if (!started) {
        started = true;
        events.push(startOf(chunk));
      }
      const choices = Array.isArray(chunk.choices) ? (chunk.choices as Json[]) : [];
      choices.forEach((c, position) => {
        const choice = typeof c?.index === "number" ? c.index : position;
        if (c?.delta && typeof c.delta === "object") pushOutput(events, choice, c.delta as Json);
        const reason = finishOf(c?.finish_reason);
        if (reason) events.push({ type: "finish", choice, reason });
      });
      const usage = usageOf(chunk.usage);
      if (usage) events.push(usage);
      return { raw: data, events };
    },
  };
}

/** The model ids of a list shaped {"data":[{"id":…}]} (OpenAI's, and Anthropic's), redacted; null when it is not one. */
export function parseModelList(text: string, redact: Redactor): string[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return null;
  const ids = data.map((m) => (m && typeof m === "object" ? (m as { id?: unknown }).id : undefined)).filter((id): id is string => typeof id === "string");
  return [...new Set(ids.map(redact))].sort((a, b) => a.localeCompare(b));
}

/**
 * An embeddings answer ({"object":"list","data":[…],"usage":{…}}) as a frame: the body itself, and
 * its prompt tokens as usage (an embedding has no output); null when it is not one.
 */
export function parseEmbeddingList(text: string): Frame | null {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object" || !Array.isArray(json.data)) return null;
  const usage = json.usage as { prompt_tokens?: unknown } | null | undefined;
  const events: ChatEvent[] = typeof usage?.prompt_tokens === "number" ? [{ type: "usage", promptTokens: usage.prompt_tokens, completionTokens: 0 }] : [];
  return { raw: text, events };
}

function jsonHeaders(provider: ProviderConfig, accept: string): Record<string, string> {
  return {
    "content-type": "application/json",
    accept,
    // Some providers' firewalls refuse requests without one.
    "user-agent": "switchyard",
    ...authHeaders(provider),
  };
}

export const openAiCompatible: ProviderAdapter = {
  kind: "openai-compatible",
  chatCall(provider, model, body, stream, signal) {
    const headers = jsonHeaders(provider, stream ? "text/event-stream" : "application/json");
    return { url: `${baseOf(provider)}/chat/completions`, headers, body: JSON.stringify(upstreamBody(body, model, stream)), signal };
  },
  embeddingsCall(provider, model, body, signal) {
    return { url: `${baseOf(provider)}/embeddings`, headers: jsonHeaders(provider, "application/json"), body: JSON.stringify({ ...body, model: model.upstreamModel }), signal };
  },
  parseEmbeddings: parseEmbeddingList,
  send: (deps, _model, call) => deps.http(call),
  failure: openAiFailure,
  parseBody: parseChatCompletion,
  decoder: chatChunkDecoder,
  fetchModels: (io, provider, signal) => io.get(`${baseOf(provider)}/models`, { accept: "application/json", "user-agent": "switchyard", ...authHeaders(provider) }, signal),
  parseModels: parseModelList,
};
