/** Reads upstream server-sent events one at a time, with a real parser, abortable at any await. */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage };

export interface EventReader {
  /** Next event, or null at the end of the stream. Rejects with the signal's reason once it aborts. */
  next(): Promise<EventSourceMessage | null>;
  cancel(): void;
}

export function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): EventReader {
  const reader = body
    // DOM typings declare TextDecoderStream's input as BufferSource; bytes are what it gets here.
    .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  let aborted: Promise<never> | null = null;
  const abortPromise = () =>
    (aborted ??= new Promise<never>((_, reject) => {
      const fail = () => reject(signal.reason);
      if (signal.aborted) fail();
      else signal.addEventListener("abort", fail, { once: true });
    }));
  // A rejection nobody awaits yet must not crash the process.
  abortPromise().catch(() => {});

  return {
    async next() {
      const { done, value } = await Promise.race([reader.read(), abortPromise()]);
      return done ? null : value;
    },
    cancel() {
      reader.cancel().catch(() => {});
    },
  };
}

/** Rejects when the signal aborts, even if the body never ends on its own. */
export async function readText(res: Response, signal: AbortSignal): Promise<string> {
  const abort = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  abort.catch(() => {});
  return Promise.race([res.text(), abort]);
}
