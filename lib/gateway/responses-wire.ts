/**
 * OpenAI's Responses API wire format as the gateway's /v1/responses door speaks it: the Response
 * object and the streamed event sequence, built from the gateway's events whatever the upstream
 * spoke. An upstream that spoke the Responses API itself (a pass-through) has its own events and
 * body passed on as sent; the gateway then writes only the events that end a stream it cut.
 *
 * A streamed answer, in the order the official SDKs' stream helpers check:
 *   response.created, response.in_progress,
 *   per output item: response.output_item.added,
 *     a message:   response.content_part.added, response.output_text.delta… (or
 *                  response.refusal.delta…), response.output_text.done, response.content_part.done
 *     a call:      response.function_call_arguments.delta…, response.function_call_arguments.done
 *     reasoning:   response.content_part.added, response.reasoning_text.delta…, …done, …part.done
 *   response.output_item.done,
 *   then response.completed (usage included), or response.incomplete when the reply stopped at
 *   its output limit or a content filter. A failure ends with response.failed and an `error` event;
 *   a reply the gateway cut at its output ceiling with response.incomplete (max_output_tokens)
 *   and an `error` event saying why.
 */
import type { AnswerMeta } from "./endpoints/types";
import type { ChatEvent, FinishReason, Frame } from "./providers/types";
import type { StreamEncoder } from "./relay";

type Json = Record<string, unknown>;

/** Request fields a Response object repeats back. */
export interface ResponseEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  text: Json;
  tool_choice: unknown;
  tools: Json[];
  reasoning: Json;
  user: string | null;
}

type Status = "completed" | "incomplete" | "failed" | "in_progress";
type ItemStatus = "in_progress" | "completed" | "incomplete";

type Part = { type: "output_text" | "refusal"; text: string; done: boolean };

type Item =
  | { kind: "message"; id: string; index: number; parts: Part[]; status: ItemStatus }
  | { kind: "function_call"; id: string; index: number; callId: string; name: string; arguments: string; status: ItemStatus }
  /** `part`: its one reasoning_text part has not been added yet, is open, or is done. */
  | { kind: "reasoning"; id: string; index: number; text: string; part: "none" | "open" | "done"; status: ItemStatus };

const outputTextPart = (text: string): Json => ({ type: "output_text", text, annotations: [], logprobs: [] });
const partJson = (p: Part): Json => (p.type === "output_text" ? outputTextPart(p.text) : { type: "refusal", refusal: p.text });

function itemJson(item: Item): Json {
  switch (item.kind) {
    case "message":
      return { id: item.id, type: "message", status: item.status, role: "assistant", content: item.parts.map(partJson) };
    case "function_call":
      return { id: item.id, type: "function_call", status: item.status, arguments: item.arguments, call_id: item.callId, name: item.name };
    case "reasoning":
      return { id: item.id, type: "reasoning", status: item.status, summary: [], content: item.part === "none" ? [] : [{ type: "reasoning_text", text: item.text }] };
  }
}

function usageJson(e: Extract<ChatEvent, { type: "usage" }>): Json {
  return {
    input_tokens: e.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: e.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: e.promptTokens + e.completionTokens,
  };
}

/** Why a reply that ended with this finish reason is incomplete, or null when it is complete. */
function incompleteReason(reason: FinishReason | null): string | null {
  if (reason === "length") return "max_output_tokens";
  if (reason === "content_filter") return "content_filter";
  return null;
}

/** `resp_…`, `msg_…`, `fc_…`, `rs_…` ids, all from the gateway's request id. */
function idsFrom(requestId: string) {
  const base = requestId.replace(/^req_/, "");
  return { response: `resp_${base}`, item: (prefix: string, index: number) => `${prefix}_${base}_${index}`, call: (index: number) => `call_${base}_${index}` };
}

/**
 * One answer's output items built from the gateway's events (choice 0: the Responses API has one
 * reply). Each change is told to `emit` as a stream event; a whole answer passes a sink that drops them.
 */
class ResponseBuilder {
  readonly items: Item[] = [];
  private open: Item | null = null;
  private readonly calls = new Map<number, Extract<Item, { kind: "function_call" }>>();
  finish: FinishReason | null = null;
  usage: Json | null = null;
  private readonly ids: ReturnType<typeof idsFrom>;

  constructor(
    requestId: string,
    private readonly emit: (type: string, fields: Json) => void,
  ) {
    this.ids = idsFrom(requestId);
  }

  add(events: readonly ChatEvent[]): void {
    for (const e of events) {
      if (e.type === "usage") this.usage = usageJson(e);
      if (!("choice" in e) || e.choice !== 0) continue;
      if (e.type === "delta") this.text(e.kind, e.text);
      else if (e.type === "tool-call") this.toolCall(e);
      else if (e.type === "finish") {
        this.finish = e.reason;
        this.closeAll(incompleteReason(e.reason) ? "incomplete" : "completed");
      }
    }
  }

  /** Ends every open item (and its open part) with done events. */
  closeAll(status: ItemStatus): void {
    for (const item of this.items) if (item.status === "in_progress") this.close(item, status);
    this.open = null;
  }

  /** Marks what is still open as incomplete without done events (the stream failed). */
  abandon(): void {
    for (const item of this.items) if (item.status === "in_progress") item.status = "incomplete";
    this.open = null;
  }

  private start<T extends Item>(item: T): T {
    if (this.open) this.close(this.open, "completed");
    this.items.push(item);
    this.open = item;
    this.emit("response.output_item.added", { output_index: item.index, item: itemJson(item) });
    return item;
  }

  private text(kind: "content" | "reasoning" | "refusal", text: string): void {
    if (!text) return;
    if (kind === "reasoning") {
      let item = this.open;
      if (item?.kind !== "reasoning") {
        item = this.start({ kind: "reasoning", id: this.ids.item("rs", this.items.length), index: this.items.length, text: "", part: "none", status: "in_progress" });
        item.part = "open";
        this.emit("response.content_part.added", { item_id: item.id, output_index: item.index, content_index: 0, part: { type: "reasoning_text", text: "" } });
      }
      item.text += text;
      this.emit("response.reasoning_text.delta", { item_id: item.id, output_index: item.index, content_index: 0, delta: text });
      return;
    }
    let message = this.open;
    if (message?.kind !== "message") message = this.start({ kind: "message", id: this.ids.item("msg", this.items.length), index: this.items.length, parts: [], status: "in_progress" });
    const type = kind === "content" ? "output_text" : "refusal";
    let part = message.parts.at(-1);
    if (part?.type !== type) {
      if (part) this.closePart(message, part);
      message.parts.push((part = { type, text: "", done: false }));
      this.emit("response.content_part.added", { item_id: message.id, output_index: message.index, content_index: message.parts.length - 1, part: partJson(part) });
    }
    part.text += text;
    const where = { item_id: message.id, output_index: message.index, content_index: message.parts.length - 1 };
    if (type === "output_text") this.emit("response.output_text.delta", { ...where, delta: text, logprobs: [] });
    else this.emit("response.refusal.delta", { ...where, delta: text });
  }

  private toolCall(e: Extract<ChatEvent, { type: "tool-call" }>): void {
    let item = this.calls.get(e.index);
    if (!item) {
      const index = this.items.length;
      item = this.start({ kind: "function_call", id: this.ids.item("fc", index), index, callId: e.id || this.ids.call(index), name: e.name ?? "", arguments: "", status: "in_progress" });
      this.calls.set(e.index, item);
    } else if (!item.name && e.name) item.name = e.name;
    if (!e.arguments) return;
    // A piece for a call already closed still belongs to it; the final output carries it whole.
    item.arguments += e.arguments;
    this.emit("response.function_call_arguments.delta", { item_id: item.id, output_index: item.index, delta: e.arguments });
  }

  private closePart(message: Extract<Item, { kind: "message" }>, part: Part): void {
    if (part.done) return;
    part.done = true;
    const where = { item_id: message.id, output_index: message.index, content_index: message.parts.indexOf(part) };
    if (part.type === "output_text") this.emit("response.output_text.done", { ...where, text: part.text, logprobs: [] });
    else this.emit("response.refusal.done", { ...where, refusal: part.text });
    this.emit("response.content_part.done", { ...where, part: partJson(part) });
  }

  private close(item: Item, status: ItemStatus): void {
    if (item.kind === "message") for (const part of item.parts) this.closePart(item, part);
    else if (item.kind === "function_call") this.emit("response.function_call_arguments.done", { item_id: item.id, output_index: item.index, arguments: item.arguments });
    else if (item.part === "open") {
      item.part = "done";
      const where = { item_id: item.id, output_index: item.index, content_index: 0 };
      this.emit("response.reasoning_text.done", { ...where, text: item.text });
      this.emit("response.content_part.done", { ...where, part: { type: "reasoning_text", text: item.text } });
    }
    item.status = status;
    this.emit("response.output_item.done", { output_index: item.index, item: itemJson(item) });
    if (this.open === item) this.open = null;
  }
}

interface Envelope {
  id: string;
  createdAt: number;
  model: string;
  echo: ResponseEcho;
}

function responseJson(env: Envelope, status: Status, fields: { output: Json[]; usage: Json | null; error?: Json | null; incomplete?: string | null; completedAt?: number }): Json {
  const { echo } = env;
  return {
    id: env.id,
    object: "response",
    created_at: env.createdAt,
    status,
    background: false,
    ...(fields.completedAt !== undefined ? { completed_at: fields.completedAt } : {}),
    error: fields.error ?? null,
    incomplete_details: fields.incomplete ? { reason: fields.incomplete } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    metadata: echo.metadata,
    model: env.model,
    output: fields.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: null,
    reasoning: echo.reasoning,
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: "disabled",
    usage: fields.usage,
    user: echo.user,
  };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** A whole answer as a Response object: the upstream's own body when it spoke the Responses API. */
export function responseBody(answer: Frame, echo: ResponseEcho, now: () => number, meta: AnswerMeta): string {
  if (answer.native) return answer.native.text;
  const builder = new ResponseBuilder(meta.requestId, () => {});
  builder.add(answer.events);
  const incomplete = incompleteReason(builder.finish);
  builder.closeAll(incomplete ? "incomplete" : "completed");
  const at = seconds(now());
  const env: Envelope = { id: idsFrom(meta.requestId).response, createdAt: at, model: meta.model, echo };
  const output = builder.items.map(itemJson);
  return JSON.stringify(responseJson(env, incomplete ? "incomplete" : "completed", { output, usage: builder.usage, incomplete, ...(incomplete ? {} : { completedAt: at }) }));
}

const sse = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;

export function responsesStreamEncoder(echo: ResponseEcho, now: () => number, meta: AnswerMeta): StreamEncoder {
  const env: Envelope = { id: idsFrom(meta.requestId).response, createdAt: seconds(now()), model: meta.model, echo };
  let out = "";
  let seq = 0;
  let started = false;
  // A lifecycle event that ends the response has been sent: nothing but an `error` may follow.
  let ended = false;
  // The upstream spoke the Responses API: its events pass as sent, and only the gateway's own ending is written here.
  let passthrough = false;
  const event = (type: string, fields: Json) => {
    out += sse(type, JSON.stringify({ type, sequence_number: seq++, ...fields }));
  };
  const builder = new ResponseBuilder(meta.requestId, event);
  const snapshot = (status: Status, fields: { error?: Json; incomplete?: string; completedAt?: number } = {}) => {
    // A pass-through's items are the upstream's: the response object leaves `output` out, and the
    // SDKs fill it from the items they have seen.
    if (passthrough) {
      return { id: env.id, object: "response", created_at: env.createdAt, status, model: env.model, error: fields.error ?? null, incomplete_details: fields.incomplete ? { reason: fields.incomplete } : null };
    }
    return responseJson(env, status, { output: builder.items.map(itemJson), usage: builder.usage, ...fields });
  };
  const begin = () => {
    if (started) return;
    started = true;
    if (passthrough) return;
    event("response.created", { response: snapshot("in_progress") });
    event("response.in_progress", { response: snapshot("in_progress") });
  };
  const take = () => {
    const text = out;
    out = "";
    return text;
  };

  return {
    frame(f) {
      if (!started && f.native) passthrough = true;
      if (passthrough) {
        for (const e of f.events) {
          if (e.type !== "start") continue;
          env.id = e.id || env.id;
          env.model = e.model || env.model;
          env.createdAt = e.created || env.createdAt;
        }
        started = true;
        if (!f.native) return "";
        // Responses API streams number their events from 0, one per event, so the next one the
        // gateway writes follows the count.
        seq++;
        return `${f.native.event ? `event: ${f.native.event}\n` : ""}data: ${f.native.text}\n\n`;
      }
      begin();
      builder.add(f.events);
      return take();
    },
    lengthCut() {
      begin();
      if (ended) return take();
      ended = true;
      if (!passthrough) builder.closeAll("incomplete");
      event("response.incomplete", { response: snapshot("incomplete", { incomplete: "max_output_tokens" }) });
      return take();
    },
    error(message, _type, code) {
      begin();
      if (!ended) {
        ended = true;
        builder.abandon();
        event("response.failed", { response: snapshot("failed", { error: { code: code ?? "server_error", message } }) });
      }
      event("error", { code, message, param: null });
      return take();
    },
    done() {
      begin();
      if (ended || passthrough) return take();
      ended = true;
      const incomplete = incompleteReason(builder.finish);
      builder.closeAll(incomplete ? "incomplete" : "completed");
      if (incomplete) event("response.incomplete", { response: snapshot("incomplete", { incomplete }) });
      else event("response.completed", { response: snapshot("completed", { completedAt: seconds(now()) }) });
      return take();
    },
  };
}
