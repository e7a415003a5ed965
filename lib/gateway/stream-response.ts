/**
 * Re-emits the upstream's SSE events to the client one by one as they arrive. A failure after the
 * first byte ends the stream with an OpenAI-shaped error event, never a clean [DONE]; a client that
 * goes away aborts the upstream at once.
 */
import { OutputMeter } from "./output-meter";
import { createRedactor } from "./redact";
import type { OpenedUpstream } from "./upstream";
import { relayedError } from "./upstream-error";
import { ClientAborted, UpstreamTimeout } from "./timeouts";

export interface StreamOutcome {
  status: "ok" | "error" | "aborted";
  errorType: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  /** Tokens of the text and tool calls that reached the client, for when the upstream reports no usage. */
  countCompletion: () => number;
  firstTokenAt: number | null;
}

export interface StreamOptions {
  includeUsage: boolean;
  now: () => number;
  /** Completion tokens across all choices after which the stream is cut; null for no cut. */
  outputLimit: number | null;
  /** The limit is what the team's budget reservation covers (named in the error if it is reached). */
  budgeted: boolean;
  onEnd: (outcome: StreamOutcome) => void;
}

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

function errorEvent(message: string, type: string, code: string): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify({ error: { message, type, code, param: null } })}\n\n`);
}

interface NamedCall {
  name?: unknown;
  arguments?: unknown;
}

interface Delta {
  content?: unknown;
  refusal?: unknown;
  // Reasoning text some OpenAI-compatible servers stream (DeepSeek, OpenRouter); billed as output.
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: Array<{ function?: NamedCall }>;
  function_call?: NamedCall;
}

interface Chunk {
  id?: unknown;
  created?: unknown;
  model?: unknown;
  choices?: Array<{ index?: unknown; delta?: Delta; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

/** The output an event carries, as [choice index, text] pairs for the meter. */
function outputOf(choices: NonNullable<Chunk["choices"]>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const choice of choices) {
    const delta = choice.delta;
    if (!delta) continue;
    const index = typeof choice.index === "number" ? choice.index : 0;
    const add = (v: unknown) => {
      if (typeof v === "string" && v) out.push([index, v]);
    };
    add(delta.content);
    add(delta.refusal);
    add(delta.reasoning_content);
    add(delta.reasoning);
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      add(call?.function?.name);
      add(call?.function?.arguments);
    }
    add(delta.function_call?.name);
    add(delta.function_call?.arguments);
  }
  return out;
}

/** A finish chunk per choice with `finish_reason: "length"`, shaped like the upstream's own chunks. */
function lengthFinish(last: Chunk | null, choices: number): string {
  const chunk = {
    id: typeof last?.id === "string" ? last.id : "chatcmpl-switchyard",
    object: "chat.completion.chunk",
    created: typeof last?.created === "number" ? last.created : 0,
    model: typeof last?.model === "string" ? last.model : "",
    choices: Array.from({ length: choices }, (_, index) => ({ index, delta: {}, finish_reason: "length" })),
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

export function clientStream(opened: OpenedUpstream, opts: StreamOptions): ReadableStream<Uint8Array> {
  const events = opened.events!;
  let pending = opened.first ?? null;
  let ended = false;
  let sawFinish = false;
  let upstreamErrored = false;
  let lastChunk: Chunk | null = null;
  let choicesSeen = 1;
  const meter = new OutputMeter(opts.outputLimit);
  const outcome: StreamOutcome = { status: "ok", errorType: null, usage: null, countCompletion: () => meter.total(), firstTokenAt: null };

  const end = (status: StreamOutcome["status"], errorType: string | null) => {
    if (ended) return;
    ended = true;
    outcome.status = status;
    outcome.errorType = errorType;
    opened.clock.clear();
    // A complete stream lets the upstream finish its body, so its connection goes back to the pool.
    if (status === "ok") events.release();
    else events.cancel();
    opts.onEnd(outcome);
  };

  /** Returns the text to send for one event, or null to drop it. */
  const translate = (data: string, at: number): string | null | "error" | "ceiling" => {
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      return "error";
    }
    if (chunk.error) {
      upstreamErrored = true;
      // Rebuilt from its fields, never relayed verbatim: upstreams quote the key they were sent.
      const e = relayedError(chunk, createRedactor(opened.target.provider.apiKey));
      const error = { message: e?.message ?? "The upstream sent an error event.", type: e?.type ?? "upstream_error", code: e?.code ?? null, param: e?.param ?? null };
      return `data: ${JSON.stringify({ error })}\n\n`;
    }
    const choices = Array.isArray(chunk.choices) ? chunk.choices : null;
    if (choices && choices.length > 0) {
      lastChunk = chunk;
      const output = outputOf(choices);
      if (output.length > 0) {
        if (!meter.admit(output)) return "ceiling";
        outcome.firstTokenAt ??= at;
      }
      for (const choice of choices) {
        if (choice.finish_reason) sawFinish = true;
        if (typeof choice.index === "number" && choice.index >= choicesSeen && choice.index < 128) choicesSeen = choice.index + 1;
      }
    }
    const u = chunk.usage;
    if (u && typeof u.prompt_tokens === "number" && typeof u.completion_tokens === "number") {
      outcome.usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
      // The gateway always asks for usage; a client that did not gets no usage-only chunk.
      if (!opts.includeUsage && (!chunk.choices || chunk.choices.length === 0)) return null;
    }
    return `data: ${data}\n\n`;
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      opened.clock.consumerReady();
      // Events that have already arrived together leave together; nothing waits to be batched.
      let out = "";
      const send = (last?: Uint8Array) => {
        if (out) controller.enqueue(encoder.encode(out));
        out = "";
        if (last) controller.enqueue(last);
      };
      const close = (last: Uint8Array, status: StreamOutcome["status"], errorType: string | null) => {
        send(last);
        end(status, errorType);
        controller.close();
      };
      try {
        for (;;) {
          const event = pending ?? (out ? events.take() : await events.next());
          pending = null;
          if (event === undefined) break;
          const at = opts.now();
          if (event === null) {
            // Some servers omit [DONE]; a finished choice still makes the stream complete.
            if (sawFinish) close(DONE, "ok", null);
            else close(errorEvent("The upstream closed the stream before it finished.", "upstream_error", "stream_cut"), "error", "stream_cut");
            return;
          }
          opened.clock.touch();
          if (event.data === "[DONE]") return close(DONE, "ok", null);
          const text = translate(event.data, at);
          if (text === "error") return close(errorEvent("The upstream sent an event that is not valid JSON.", "upstream_error", "unparseable_output"), "error", "unparseable_output");
          if (text === "ceiling") {
            out += lengthFinish(lastChunk, choicesSeen);
            const limit = `${opts.outputLimit} output token${opts.outputLimit === 1 ? "" : "s"}`;
            const message = opts.budgeted
              ? `The reply reached ${limit}, the most this request's budget reservation covers, and the upstream did not stop there; the gateway ended the stream.`
              : `The reply reached its limit of ${limit} and the upstream did not stop there; the gateway ended the stream.`;
            send(errorEvent(message, "upstream_error", "output_ceiling_reached"));
            end("error", "output_ceiling_reached");
            opened.controller.abort();
            controller.close();
            return;
          }
          if (text === null) continue;
          out += text;
          if (upstreamErrored) {
            send();
            end("error", "upstream_error");
            controller.close();
            return;
          }
        }
        send();
        // The client's side is full: until it reads, silence is ours, not the upstream's.
        if (controller.desiredSize !== null && controller.desiredSize <= 0) opened.clock.consumerBusy();
      } catch (err) {
        const reason = opened.controller.signal.aborted ? opened.controller.signal.reason : err;
        if (reason instanceof ClientAborted) {
          send();
          end("aborted", "client_closed");
          controller.close();
          return;
        }
        const timeout = reason instanceof UpstreamTimeout;
        send(
          timeout
            ? errorEvent(`The upstream stopped sending (${reason.message}).`, "timeout", "timeout")
            : errorEvent("The upstream connection failed mid-stream.", "upstream_error", "stream_cut"),
        );
        end("error", timeout ? "timeout" : "stream_cut");
        opened.controller.abort();
        controller.close();
      }
    },
    cancel() {
      opened.controller.abort(new ClientAborted());
      end("aborted", "client_closed");
    },
  });
}
