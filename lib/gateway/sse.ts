/**
 * Reads upstream server-sent events one at a time, with a real parser, abortable at any await.
 *
 * The bytes are pushed in by their source (a node stream's data events, or a pump over a web
 * stream's reader); events are parsed as they arrive and queued, and the source is paused while
 * a few are waiting, so a client that does not read holds back the upstream instead of filling
 * memory. One abort listener serves the whole stream: racing every read against an abort promise
 * would leave a reaction on that promise per event for as long as the stream lives.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

export interface EventReader {
  /** Next event, or null at the end of the stream. Rejects with the signal's reason once it aborts. */
  next(): Promise<EventSourceMessage | null>;
  /** An event that has already arrived, without waiting; undefined when none is queued. */
  take(): EventSourceMessage | undefined;
  /** Stops reading: what has not arrived is dropped and the connection closed. */
  cancel(): void;
  /**
   * Stops reading after a complete stream: the rest of the body (usually just its terminating
   * chunk) is let through unparsed for a moment so the connection can be reused, then cut.
   */
  release(): void;
}

/** What a byte source is told: each chunk, then the end or a failure (exactly one of them). */
export interface ByteSink {
  chunk(bytes: Uint8Array): void;
  end(): void;
  fail(err: unknown): void;
}

/** Where the bytes come from. `start` is called once; `close` drops whatever has not arrived yet. */
export interface ByteSource {
  start(sink: ByteSink): void;
  pause(): void;
  resume(): void;
  close(): void;
}

// Events parsed ahead of the reader before the source is paused.
const HIGH_WATER = 16;
// Longest event (or unfinished line) accepted from an upstream.
const MAX_EVENT_CHARS = 8 * 1024 * 1024;
// After a complete stream: how long, and how many more bytes, before the body is cut instead.
const RELEASE_MS = 1_000;
const RELEASE_BYTES = 64 * 1024;

export function readEvents(source: ByteSource, signal: AbortSignal): EventReader {
  const queue: EventSourceMessage[] = [];
  let head = 0;
  let ended = false;
  let failure: { reason: unknown } | null = null;
  let aborted = false;
  let paused = false;
  let draining: { bytes: number; timer: NodeJS.Timeout } | null = null;
  let waiter: { resolve: (e: EventSourceMessage | null) => void; reject: (err: unknown) => void } | null = null;
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
  const done = () => ended || failure !== null || aborted;
  const shift = (): EventSourceMessage => {
    const event = queue[head++]!;
    if (head === queue.length) queue.length = head = 0;
    if (paused && !done() && queued() < HIGH_WATER / 2) {
      paused = false;
      source.resume();
    }
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
  const onAbort = () => {
    stopDraining(false);
    aborted = true;
    source.close();
    settle();
  };
  const finish = () => signal.removeEventListener("abort", onAbort);
  const stopDraining = (cut: boolean) => {
    if (!draining) return;
    clearTimeout(draining.timer);
    draining = null;
    if (cut) source.close();
  };

  if (signal.aborted) {
    aborted = true;
    source.close();
  } else signal.addEventListener("abort", onAbort, { once: true });

  if (!aborted) {
    source.start({
      chunk(bytes) {
        if (draining) {
          draining.bytes += bytes.byteLength;
          if (draining.bytes > RELEASE_BYTES) stopDraining(true);
          return;
        }
        if (done()) return;
        parser.feed(decoder.decode(bytes, { stream: true }));
        if (failure) {
          source.close();
          finish();
        } else if (!paused && queued() >= HIGH_WATER) {
          paused = true;
          source.pause();
        }
        settle();
      },
      end() {
        if (draining) return stopDraining(false);
        if (done()) return;
        // An event cut off by the end of the stream is dropped, not dispatched half-written.
        parser.feed(decoder.decode());
        ended = true;
        finish();
        settle();
      },
      fail(err) {
        if (draining) return stopDraining(false);
        if (done()) return;
        failure = { reason: err };
        finish();
        settle();
      },
    });
  }

  return {
    next() {
      if (aborted) return Promise.reject(signal.reason);
      if (queued() > 0) return Promise.resolve(shift());
      if (failure) return Promise.reject(failure.reason);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve, reject) => (waiter = { resolve, reject }));
    },
    take() {
      if (aborted || queued() === 0) return undefined;
      return shift();
    },
    cancel() {
      if (done()) return;
      failure = { reason: new Error("event stream cancelled") };
      source.close();
      finish();
      settle();
    },
    release() {
      if (done()) return;
      failure = { reason: new Error("event stream released") };
      finish();
      settle();
      const timer = setTimeout(() => stopDraining(true), RELEASE_MS);
      timer.unref();
      draining = { bytes: 0, timer };
      if (paused) {
        paused = false;
        source.resume();
      }
    },
  };
}

/** A web stream as a byte source (the in-process simulator's responses). */
export function webByteSource(body: ReadableStream<Uint8Array>): ByteSource {
  const reader = body.getReader();
  let paused = false;
  let pumping = false;
  let closed = false;
  let sink: ByteSink | null = null;
  const pump = async () => {
    if (pumping || !sink) return;
    pumping = true;
    try {
      while (!paused && !closed) {
        const { done, value } = await reader.read();
        if (done) return sink.end();
        sink.chunk(value);
      }
    } catch (err) {
      sink.fail(err);
    } finally {
      pumping = false;
    }
  };
  return {
    start(s) {
      sink = s;
      void pump();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      void pump();
    },
    close() {
      closed = true;
      reader.cancel().catch(() => {});
    },
  };
}

/** Rejects when the signal aborts, even if the body never ends on its own. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The work fails too once the signal has aborted; nobody is left to hear it.
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
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
