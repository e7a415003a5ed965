/**
 * Relays a committed upstream stream to the client frame by frame, never buffered: the events are
 * read for accounting (output metered against the ceiling, usage, finish, errors) and the door's
 * encoder turns each frame into wire text. A failure after the first byte ends the stream with an
 * error event, never a clean end; a client that goes away aborts the upstream at once.
 */
import { OutputMeter } from "./output-meter";
import type { ChatEvent, Frame } from "./providers/types";
import { ClientAborted, UpstreamTimeout } from "./timeouts";
import type { OpenedStream, StreamEnd } from "./upstream";

/** A door's wire format for streamed answers. */
export interface StreamEncoder {
  /** Wire text for one frame; "" to send nothing. */
  frame(frame: Frame): string;
  /** The gateway cut the reply at its output limit: each choice finished with "length". */
  lengthCut(choices: number): string;
  error(message: string, type: string, code: string | null): string;
  done(): string;
}

export interface RelayOutcome {
  status: "ok" | "error" | "aborted";
  errorType: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
  /** Tokens of what reached the client, for when the upstream reports no usage. */
  countCompletion: () => number;
  firstTokenAt: number | null;
  /** Every event of the stream, when the options asked to collect them. */
  events: ChatEvent[];
}

export interface RelayOptions {
  now: () => number;
  /** Completion tokens across all choices after which the stream is cut; null for no cut. */
  outputLimit: number | null;
  /** The limit is what the team's budget reservation covers (named in the error if it is reached). */
  budgeted: boolean;
  /** Keep every frame's events in the outcome (for the response cache). */
  collect?: boolean;
  onEnd: (outcome: RelayOutcome) => void;
}

export interface StreamRelay {
  /** The next wire text: what has arrived since the last call, at least one frame's worth; null once ended. */
  next(): Promise<string | null>;
  /** The client's side is full: until `ready`, silence is ours, not the upstream's (the idle clock pauses). */
  busy(): void;
  ready(): void;
  /** The client went away. */
  cancel(): void;
}

// Choice indexes past this are an upstream's garbage, not choices (requests may ask for 128).
const MAX_CHOICES = 128;

export function createRelay(opened: OpenedStream, encoder: StreamEncoder, opts: RelayOptions): StreamRelay {
  const { frames, clock } = opened;
  let pending: Frame | StreamEnd | null = opened.first;
  let ended = false;
  let sawFinish = false;
  let choices = 1;
  const meter = new OutputMeter(opts.outputLimit);
  const outcome: RelayOutcome = { status: "ok", errorType: null, usage: null, countCompletion: () => meter.total(), firstTokenAt: null, events: [] };

  const end = (status: RelayOutcome["status"], errorType: string | null) => {
    if (ended) return;
    ended = true;
    outcome.status = status;
    outcome.errorType = errorType;
    clock.clear();
    // A complete stream lets the upstream finish its body, so its connection goes back to the pool.
    if (status === "ok") frames.release();
    else frames.cancel();
    // A cut at the output ceiling is the gateway's doing, and a client leaving is nobody's fault.
    opened.settle(status === "ok" ? true : status === "aborted" || errorType === "output_ceiling_reached" ? null : false);
    opts.onEnd(outcome);
  };

  const fail = (text: string, errorType: string): string => {
    end("error", errorType);
    opened.controller.abort();
    return text;
  };

  /** Accounts for one frame; returns the text that ends the stream when the frame ends it, else null. */
  const account = (frame: Frame, at: number): string | null => {
    const output: Array<[number, string]> = [];
    for (const e of frame.events) {
      if (e.type === "delta") output.push([e.choice, e.text]);
      else if (e.type === "tool-call") {
        if (e.name) output.push([e.choice, e.name]);
        if (e.arguments) output.push([e.choice, e.arguments]);
      } else if (e.type === "finish") sawFinish = true;
      else if (e.type === "usage") outcome.usage = { promptTokens: e.promptTokens, completionTokens: e.completionTokens };
      else if (e.type === "error") return fail(encoder.error(e.message, e.errorType, e.code), "upstream_error");
      if ((e.type === "delta" || e.type === "tool-call" || e.type === "finish") && e.choice >= choices && e.choice < MAX_CHOICES) choices = e.choice + 1;
    }
    if (output.length === 0) return null;
    if (!meter.admit(output)) {
      const limit = `${opts.outputLimit} output token${opts.outputLimit === 1 ? "" : "s"}`;
      const message = opts.budgeted
        ? `The reply reached ${limit}, the most this request's budget reservation covers, and the upstream did not stop there; the gateway ended the stream.`
        : `The reply reached its limit of ${limit} and the upstream did not stop there; the gateway ended the stream.`;
      return fail(encoder.lengthCut(choices) + encoder.error(message, "upstream_error", "output_ceiling_reached"), "output_ceiling_reached");
    }
    outcome.firstTokenAt ??= at;
    return null;
  };

  const finishAt = (item: StreamEnd): string => {
    if (item.end === "invalid") return fail(encoder.error("The upstream sent an event that is not valid JSON.", "upstream_error", "unparseable_output"), "unparseable_output");
    // Some servers omit the end marker; a finished choice still makes the stream complete.
    if (item.end === "done" || sawFinish) {
      end("ok", null);
      return encoder.done();
    }
    return fail(encoder.error("The upstream closed the stream before it finished.", "upstream_error", "stream_cut"), "stream_cut");
  };

  return {
    async next() {
      if (ended) return null;
      clock.consumerReady();
      // Frames that have already arrived together leave together; nothing waits to be batched.
      let out = "";
      try {
        for (;;) {
          const item: Frame | StreamEnd | undefined = pending ?? (out ? frames.take() : await frames.next());
          pending = null;
          if (item === undefined) return out;
          const at = opts.now();
          if ("end" in item) return out + finishAt(item);
          clock.touch();
          const last = account(item, at);
          if (last !== null) return out + last;
          if (opts.collect) outcome.events.push(...item.events);
          out += encoder.frame(item);
        }
      } catch (err) {
        const reason = opened.controller.signal.aborted ? opened.controller.signal.reason : err;
        if (reason instanceof ClientAborted) {
          end("aborted", "client_closed");
          return out;
        }
        if (reason instanceof UpstreamTimeout) return out + fail(encoder.error(`The upstream stopped sending (${reason.message}).`, "timeout", "timeout"), "timeout");
        return out + fail(encoder.error("The upstream connection failed mid-stream.", "upstream_error", "stream_cut"), "stream_cut");
      }
    },
    busy: () => clock.consumerBusy(),
    ready: () => clock.consumerReady(),
    cancel() {
      opened.controller.abort(new ClientAborted());
      end("aborted", "client_closed");
    },
  };
}
