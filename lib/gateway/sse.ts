/**
 * Reads upstream server-sent events one at a time, with a real parser, abortable at any await.
 *
 * Bytes come from a pull function (a node stream's iterator or a web stream's reader); events are
 * parsed as the bytes arrive and queued, and reading pauses while a few are waiting, so a client
 * that does not read holds back the upstream instead of filling memory. One abort listener serves
 * the whole stream: racing every read against an abort promise would leave a reaction on that
 * promise per event for as long as the stream lives.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

export interface EventReader {
  /** Next event, or null at the end of the stream. Rejects with the signal's reason once it aborts. */
  next(): Promise<EventSourceMessage | null>;
  /** An event that has already arrived, without waiting; undefined when none is queued. */
  take(): EventSourceMessage | undefined;
  cancel(): void;
}

/** Where the bytes come from: `read` resolves null at the end; `close` drops the rest. */
export interface ByteSource {
  read(): Promise<Uint8Array | null>;
  close(): void;
}

// Events parsed ahead of the reader before the source is paused.
const HIGH_WATER = 16;
// Longest event (or unfinished line) accepted from an upstream.
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

export function readEvents(source: ByteSource, signal: AbortSignal): EventReader {
  const queue: EventSourceMessage[] = [];
  let head = 0;
  let ended = false;
  let failure: { reason: unknown } | null = null;
  let aborted = false;
  let waiter: { resolve: (e: EventSourceMessage | null) => void; reject: (err: unknown) => void } | null = null;
  let resumePump: (() => void) | null = null;
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent: (event) => queue.push(event),
    // An upstream that never ends a line cannot make the gateway buffer without bound.
    maxBufferSize: MAX_EVENT_CHARS,
    onError: (err) => {
      if (err.type === "max-buffer-size-exceeded") failure ??= { reason: err };
    },
  });

  const queued = () => queue.length - head;
  const shift = (): EventSourceMessage => {
    const event = queue[head++]!;
    if (head === queue.length) queue.length = head = 0;
    return event;
  };
  const settle = () => {
    const w = waiter;
    if (!w) return;
    if (aborted) w.reject(signal.reason);
    else if (queued() > 0) w.resolve(shift());
    else if (failure) w.reject(failure.reason);
    else if (ended) w.resolve(null);
    else return;
    waiter = null;
  };
  const resume = () => {
    const r = resumePump;
    resumePump = null;
    r?.();
  };
  const stop = () => {
    signal.removeEventListener("abort", onAbort);
    resume();
  };
  const onAbort = () => {
    aborted = true;
    source.close();
    settle();
    stop();
  };

  if (signal.aborted) aborted = true;
  else signal.addEventListener("abort", onAbort, { once: true });

  void (async () => {
    try {
      while (!aborted && !ended) {
        const chunk = await source.read();
        if (aborted) break;
        if (chunk === null) {
          // An event cut off by the end of the stream is dropped, not dispatched half-written.
          parser.feed(decoder.decode());
          ended = true;
        } else {
          parser.feed(decoder.decode(chunk, { stream: true }));
          if (failure) {
            source.close();
            break;
          }
        }
        settle();
        while (!aborted && !ended && queued() >= HIGH_WATER) await new Promise<void>((r) => (resumePump = r));
      }
    } catch (err) {
      failure = { reason: err };
      settle();
    } finally {
      settle();
      stop();
    }
  })();

  return {
    next() {
      if (aborted) return Promise.reject(signal.reason);
      if (queued() > 0) {
        const event = shift();
        if (queued() < HIGH_WATER / 2) resume();
        return Promise.resolve(event);
      }
      if (failure) return Promise.reject(failure.reason);
      if (ended) return Promise.resolve(null);
      resume();
      return new Promise((resolve, reject) => (waiter = { resolve, reject }));
    },
    take() {
      if (aborted || queued() === 0) return undefined;
      const event = shift();
      if (queued() < HIGH_WATER / 2) resume();
      return event;
    },
    cancel() {
      if (ended || failure || aborted) return;
      failure = { reason: new Error("event stream cancelled") };
      source.close();
      settle();
      stop();
    },
  };
}

/** A web stream as a byte source (the in-process simulator's responses). */
export function webByteSource(body: ReadableStream<Uint8Array>): ByteSource {
  const reader = body.getReader();
  return {
    async read() {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    close() {
      reader.cancel().catch(() => {});
    },
  };
}

/** Rejects when the signal aborts, even if the body never ends on its own. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
