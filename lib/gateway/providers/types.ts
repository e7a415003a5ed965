/**
 * The seam between the gateway and a provider's wire format. An adapter builds the upstream call
 * from an OpenAI chat-completions body, maps the upstream's error answers, and turns its answer
 * (a body or a stream) into the gateway's own events. Nothing outside an adapter parses a
 * provider's wire format; the pipeline, the stream relay and the accounting read only events.
 */
import type { GatewayError } from "../errors";
import type { Redactor } from "../redact";
import type { GatewayDeps, ModelConfig, ProviderConfig } from "../types";
import type { EventSourceMessage } from "../sse";
import type { HeaderLookup, UpstreamCallInit, UpstreamResponse } from "./transport";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/** What an answer is made of, whatever the provider. `choice` is the OpenAI choice index. */
export type ChatEvent =
  /** Identity of the answer, for encoders that build their own envelope. */
  | { type: "start"; id: string; model: string; created: number }
  | { type: "delta"; choice: number; kind: "content" | "reasoning" | "refusal"; text: string }
  /** A piece of a tool call: `index` is the call's position in the choice; id and name come once. */
  | { type: "tool-call"; choice: number; index: number; id?: string; name?: string; arguments: string }
  | { type: "finish"; choice: number; reason: FinishReason }
  | { type: "usage"; promptTokens: number; completionTokens: number }
  | { type: "error"; message: string; errorType: string; code: string | null; param: string | null };

/**
 * One upstream message (a stream event, or a whole body) as events. `raw` is the message itself
 * when it is already in OpenAI's chat-completions format, so a door speaking that format can pass
 * it on byte for byte (fields the gateway does not know survive); null otherwise.
 */
export interface Frame {
  raw: string | null;
  events: ChatEvent[];
  /**
   * Set (with `raw` null) when the upstream spoke OpenAI's Responses API itself: the event's data,
   * or the whole body, and the event's SSE name, so a Responses door can pass it on as sent.
   */
  native?: { text: string; event: string | null };
}

/** One stream's decoder: each upstream SSE event becomes a frame, the end marker, or nothing. */
export interface StreamDecoder {
  decode(event: EventSourceMessage): Frame | "done" | "invalid" | null;
}

export interface AttemptFailure {
  error: GatewayError;
  /** Worth another attempt (or the next target) after a pause. */
  retryable: boolean;
  /** The upstream's fault (counts against its breaker), not the client's. */
  fault: boolean;
}

export interface UpstreamErrorAnswer {
  status: number;
  headers: HeaderLookup;
  text: string;
}

/** An answer read for a connection test: its status and, on demand, its body (null past a size limit). */
export interface RawAnswer {
  status: number;
  read(): Promise<string | null>;
  discard(): void;
}

/** How a model list is fetched: a GET through the egress-guarded dispatcher, or the in-process simulator. */
export interface ModelsIo {
  get(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<RawAnswer>;
  simulator(request: Request): Promise<Response>;
}

/**
 * How one upstream operation is called and its answers read. A kind's chat completions are its
 * adapter's own methods; its Responses API (POST {base}/responses), when it has one, is `responses`.
 */
export interface UpstreamWire {
  /** `body` is the request in the operation's format, already with its output limit; the model name is set here. */
  call(provider: ProviderConfig, model: ModelConfig, body: Record<string, unknown>, stream: boolean, signal: AbortSignal): UpstreamCallInit;
  parseBody(text: string): Frame | null;
  decoder(redact: Redactor): StreamDecoder;
}

export interface ProviderAdapter {
  readonly kind: string;
  /** Present when the kind can speak the Responses API; used for providers whose settings say they do. */
  readonly responses?: UpstreamWire;
  /**
   * The call for one chat request. `body` is OpenAI chat-completions, already with the upstream's model name.
   * Throws a GatewayError for a request the provider cannot take (a field with no equivalent there):
   * that is the client's error, answered as is, never retried and not held against the upstream.
   */
  chatCall(provider: ProviderConfig, model: ModelConfig, body: Record<string, unknown>, stream: boolean, signal: AbortSignal): UpstreamCallInit;
  /**
   * The call for one embeddings request (`body` is OpenAI's, already with the upstream's model name),
   * and its answer: `raw` the body in OpenAI's embeddings format, a usage event its prompt tokens;
   * null when it cannot be read. Both absent when the provider has no embeddings API.
   */
  embeddingsCall?(provider: ProviderConfig, model: ModelConfig, body: Record<string, unknown>, signal: AbortSignal): UpstreamCallInit;
  parseEmbeddings?(text: string): Frame | null;
  /** Sends a call: over the network unless the kind answers in-process. */
  send(deps: Pick<GatewayDeps, "http" | "simulator">, model: ModelConfig, call: UpstreamCallInit): Promise<UpstreamResponse>;
  /** An answer outside 2xx as what the caller sees, the provider key redacted from any text passed on. */
  failure(answer: UpstreamErrorAnswer, redact: Redactor): AttemptFailure;
  /** A whole (non-streaming) body, or null when it cannot be read. */
  parseBody(text: string): Frame | null;
  decoder(redact: Redactor): StreamDecoder;
  /** Asks for the provider's model list, for the connection test and the model picker. */
  fetchModels(io: ModelsIo, provider: ProviderConfig, signal: AbortSignal): Promise<RawAnswer>;
  /** The model ids of a list answer (redacted: they are upstream text), or null when it is not one. */
  parseModels(text: string, redact: Redactor): string[] | null;
}
