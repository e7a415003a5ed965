/**
 * An OpenAI-compatible upstream faked at the gateway's `http` dependency: no network, each call
 * answered by the test's handler with a web Response, and streams written event by event.
 */
import { fetchClient, type UpstreamClient } from "@/lib/gateway/providers/transport";

export interface UpstreamCall {
  /** 1-based, across every model of this fake. */
  n: number;
  url: string;
  headers: Headers;
  body: Record<string, any>;
  /** The upstream model name the gateway asked for. */
  model: string;
  /** Aborts when the gateway gives up on the call (timeout, client gone, stream cut). */
  signal: AbortSignal;
}

export type UpstreamHandler = (call: UpstreamCall) => Response | Promise<Response>;

export interface FakeUpstream {
  client: UpstreamClient;
  calls: UpstreamCall[];
  /** The calls made to one upstream model. */
  callsTo(model: string): UpstreamCall[];
  /** Answers calls for `model` (every model when omitted) with `handler` from now on. */
  handle(model: string | null, handler: UpstreamHandler): void;
}

export function fakeUpstream(): FakeUpstream {
  const calls: UpstreamCall[] = [];
  const handlers = new Map<string | null, UpstreamHandler>();
  const client = fetchClient(async (req) => {
    const body = (await req.json()) as Record<string, any>;
    const call: UpstreamCall = { n: calls.length + 1, url: req.url, headers: req.headers, body, model: String(body.model), signal: req.signal };
    calls.push(call);
    const handler = handlers.get(call.model) ?? handlers.get(null);
    if (!handler) throw new Error(`no fake upstream answer for model '${call.model}'`);
    // As fetch does: an abort before the answer's headers rejects with the signal's reason.
    return new Promise<Response>((resolve, reject) => {
      if (req.signal.aborted) return reject(req.signal.reason);
      const onAbort = () => reject(req.signal.reason);
      req.signal.addEventListener("abort", onAbort, { once: true });
      Promise.resolve(handler(call)).then(resolve, reject).finally(() => req.signal.removeEventListener("abort", onAbort));
    });
  });
  return {
    client,
    calls,
    callsTo: (model) => calls.filter((c) => c.model === model),
    handle: (model, handler) => void handlers.set(model, handler),
  };
}

/** A handler answering its first call with the first handler, the next with the next; the last repeats. */
export function inTurn(...handlers: UpstreamHandler[]): UpstreamHandler {
  let i = 0;
  return (call) => handlers[Math.min(i++, handlers.length - 1)]!(call);
}

/** An answer that never comes (only an abort ends the call). */
export const never: UpstreamHandler = () => new Promise<Response>(() => {});

export function completion(content: string, usage: { prompt_tokens: number; completion_tokens: number } | null, model = "up") {
  return Response.json({
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  });
}

/** An embeddings list of one small vector per input; `promptTokens` null for an upstream that reports no usage. */
export function embeddingList(inputs: number, promptTokens: number | null, model = "up") {
  return Response.json({
    object: "list",
    data: Array.from({ length: inputs }, (_, index) => ({ object: "embedding", index, embedding: [0.6, 0.8] })),
    model,
    ...(promptTokens === null ? {} : { usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } }),
  });
}

export function errorAnswer(status: number, message: string, headers: Record<string, string> = {}, type = "server_error") {
  return Response.json({ error: { message, type, code: null, param: null } }, { status, headers });
}

export function chunk(delta: Record<string, unknown>, finish: string | null = null, choice = 0) {
  return { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model: "up", choices: [{ index: choice, delta, finish_reason: finish }] };
}

export function usageChunk(promptTokens: number, completionTokens: number) {
  return {
    id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model: "up", choices: [],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

const sseLine = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
const SSE_HEADERS = { "content-type": "text/event-stream" };

/** A whole stream sent at once: each item an event's data (a string as is, anything else as JSON). */
export function sseAnswer(events: unknown[]): Response {
  return new Response(events.map(sseLine).join(""), { headers: SSE_HEADERS });
}

export interface ControlledStream {
  response: Response;
  /** One event; ignored once the reader has cancelled. */
  send(data: unknown): void;
  /** Ends the body cleanly. */
  close(): void;
  /** Breaks the body, as a dropped connection does. */
  fail(err?: Error): void;
  /** True once the gateway has stopped reading and hung up. */
  readonly cancelled: boolean;
}

/** A stream the test writes event by event, learning when the gateway hangs up. */
export function controlledStream(): ControlledStream {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  let ended = false;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (cancelled = true),
  });
  return {
    response: new Response(body, { headers: SSE_HEADERS }),
    send(data) {
      if (!cancelled && !ended) controller.enqueue(encoder.encode(sseLine(data)));
    },
    close() {
      if (cancelled || ended) return;
      ended = true;
      controller.close();
    },
    fail(err = new Error("connection reset")) {
      if (cancelled || ended) return;
      ended = true;
      controller.error(err);
    },
    get cancelled() {
      return cancelled;
    },
  };
}
