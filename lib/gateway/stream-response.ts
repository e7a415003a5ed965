/**
 * Re-emits the upstream's SSE events to the client one by one as they arrive. A failure after the
 * first byte ends the stream with an OpenAI-shaped error event, never a clean [DONE]; a client that
 * goes away aborts the upstream at once.
 */
import { createRedactor } from "./redact";
import type { OpenedUpstream } from "./upstream";
import { relayedError } from "./upstream-error";
import { ClientAborted, UpstreamTimeout } from "./timeouts";

export interface StreamOutcome {
  status: "ok" | "error" | "aborted";
  errorType: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  /** Text and tool-call arguments that streamed, for counting when the upstream reports no usage. */
  completionText: string;
  firstTokenAt: number | null;
}

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

function errorEvent(message: string, type: string, code: string): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify({ error: { message, type, code, param: null } })}\n\n`);
}

interface Chunk {
  choices?: Array<{ delta?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: unknown; name?: unknown } }> }; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

export function clientStream(
  opened: OpenedUpstream,
  opts: { includeUsage: boolean; now: () => number; onEnd: (outcome: StreamOutcome) => void },
): ReadableStream<Uint8Array> {
  const events = opened.events!;
  let pending = opened.first ?? null;
  let ended = false;
  let sawFinish = false;
  let upstreamErrored = false;
  const outcome: StreamOutcome = { status: "ok", errorType: null, usage: null, completionText: "", firstTokenAt: null };

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
  const translate = (data: string, at: number): string | null | "error" => {
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
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta;
      if (typeof delta?.content === "string" && delta.content) {
        outcome.firstTokenAt ??= at;
        outcome.completionText += delta.content;
      }
      if (delta?.tool_calls) {
        outcome.firstTokenAt ??= at;
        for (const call of delta.tool_calls) {
          if (typeof call.function?.name === "string") outcome.completionText += call.function.name;
          if (typeof call.function?.arguments === "string") outcome.completionText += call.function.arguments;
        }
      }
      if (choice.finish_reason) sawFinish = true;
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
