/**
 * Re-emits the upstream's SSE events to the client one by one as they arrive. A failure after the
 * first byte ends the stream with an OpenAI-shaped error event, never a clean [DONE]; a client that
 * goes away aborts the upstream at once.
 */
import type { OpenedUpstream } from "./upstream";
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
    events.cancel();
    opts.onEnd(outcome);
  };

  /** Returns the bytes to send for one event, or null to drop it. */
  const translate = (data: string, at: number): Uint8Array | null | "error" => {
    let chunk: Chunk;
    try {
      chunk = JSON.parse(data) as Chunk;
    } catch {
      return "error";
    }
    if (chunk.error) {
      upstreamErrored = true;
      return encoder.encode(`data: ${data}\n\n`);
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
    return encoder.encode(`data: ${data}\n\n`);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      opened.clock.consumerReady();
      try {
        for (;;) {
          const event = pending ?? (await events.next());
          pending = null;
          const at = opts.now();
          if (event === null) {
            // Some servers omit [DONE]; a finished choice still makes the stream complete.
            if (sawFinish) {
              controller.enqueue(DONE);
              end("ok", null);
            } else {
              controller.enqueue(errorEvent("The upstream closed the stream before it finished.", "upstream_error", "stream_cut"));
              end("error", "stream_cut");
            }
            controller.close();
            return;
          }
          opened.clock.touch();
          if (event.data === "[DONE]") {
            controller.enqueue(DONE);
            end("ok", null);
            controller.close();
            return;
          }
          const bytes = translate(event.data, at);
          if (bytes === "error") {
            controller.enqueue(errorEvent("The upstream sent an event that is not valid JSON.", "upstream_error", "unparseable_output"));
            end("error", "unparseable_output");
            controller.close();
            return;
          }
          if (bytes === null) continue;
          controller.enqueue(bytes);
          if (upstreamErrored) {
            end("error", "upstream_error");
            controller.close();
          } else if (controller.desiredSize !== null && controller.desiredSize <= 0) {
            // The client's side is full: until it reads, silence is ours, not the upstream's.
            opened.clock.consumerBusy();
          }
          return;
        }
      } catch (err) {
        const reason = opened.controller.signal.aborted ? opened.controller.signal.reason : err;
        if (reason instanceof ClientAborted) {
          end("aborted", "client_closed");
          controller.close();
          return;
        }
        const timeout = reason instanceof UpstreamTimeout;
        controller.enqueue(
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
