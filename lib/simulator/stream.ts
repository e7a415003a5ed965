// A streaming reply as a byte stream of server-sent events, paced like a real model.
import type { ReplyPlan } from "./reply";
import type { Sleep } from "./sleep";
import { chunkEvents, type CompletionMeta } from "./wire";

export interface StreamTiming {
  ttftMs: number;
  tokensPerSecond: number;
  /** Tokens per event (default 1). */
  tokensPerChunk?: number;
  now: () => number;
  sleep: Sleep;
}

export interface StreamOptions {
  includeUsage: boolean;
  /** Error the stream after this many pieces instead of finishing it. */
  cutAfter?: number;
  /** The request's signal: aborting it errors the stream and clears its timer. */
  signal: AbortSignal;
}

const encoder = new TextEncoder();

export function replyStream(meta: CompletionMeta, plan: ReplyPlan, timing: StreamTiming, options: StreamOptions) {
  const events = chunkEvents(meta, plan, options.includeUsage);
  const perChunk = Math.max(1, Math.floor(timing.tokensPerChunk ?? 1));
  const pieces = perChunk === 1 ? plan.pieces : groups(plan.pieces, perChunk);
  const cutAfter = options.cutAfter === undefined ? undefined : Math.ceil(options.cutAfter / perChunk);
  const stop = cutAfter === undefined ? pieces.length : Math.min(cutAfter, pieces.length);
  const interval = (1000 * perChunk) / timing.tokensPerSecond;
  const start = timing.now();
  // Piece i is due at start + ttft + i × interval; pieces already due go out in one write.
  const due = (i: number) => start + timing.ttftMs + i * interval;
  // Made on first sleep only: most benchmark streams never wait, and controllers are not free.
  let timers: AbortController | undefined;
  const { signal } = options;
  let next = 0;
  let clock = start;
  let finished = false;
  let cutPending = false;
  let onAbort = () => {};

  const finish = () => {
    finished = true;
    signal.removeEventListener("abort", onAbort);
  };
  const stopTimers = () => {
    finish();
    timers?.abort();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          if (finished) return;
          stopTimers();
          controller.error(signal.reason);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        if (cutPending) {
          finish();
          return controller.error(new Error("simulated cut"));
        }
        const target = due(next);
        const wait = target - Math.max(timing.now(), clock);
        // Timers are no finer than a millisecond, so a piece due sooner goes out now.
        if (wait >= 1) {
          try {
            timers ??= new AbortController();
            await timing.sleep(wait, timers.signal);
          } catch {
            return; // cancelled or aborted; that path already settled the stream
          }
          if (finished) return;
          // An injected clock may stand still while sleeping; time still reaches the target.
          clock = target;
        }
        clock = Math.max(timing.now(), clock);
        const horizon = Math.max(clock, target);
        let out = next === 0 ? events.first : "";
        while (next < stop && due(next) <= horizon) out += events.piece(pieces[next++]!);
        if (next < stop) return controller.enqueue(encoder.encode(out));
        // A cut errors on the next read, so the pieces before it are delivered first.
        if (cutAfter !== undefined) {
          cutPending = true;
          controller.enqueue(encoder.encode(out));
          return;
        }
        finish();
        controller.enqueue(encoder.encode(out + events.end()));
        controller.close();
      },
      cancel() {
        stopTimers();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Consecutive pieces joined `size` at a time: one event carries several tokens. */
function groups(pieces: string[], size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < pieces.length; i += size) out.push(pieces.slice(i, i + size).join(""));
  return out;
}
