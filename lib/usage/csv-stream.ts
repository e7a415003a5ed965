/**
 * A CSV body that is produced only as fast as it is read: each pull() fills one chunk with the
 * next lines, and nothing more is fetched until the reader asks again. Cancelling (a client that
 * went away) releases the source at once.
 */
import { csvLine } from "./csv";

// Lines are encoded straight into a fixed-size chunk rather than joined into one big string first:
// strings that large live in V8's large-object space, which only a full GC frees, and the process
// would grow by about a hundred megabytes over a long export before one ran.
const CHUNK_BYTES = 64 * 1024;

export interface LineSource {
  /** The next line's cells, or null when there are no more; a promise only when it must wait. */
  next(): string[] | null | Promise<string[] | null>;
  /** Called exactly once: at the end, on cancel, or on an error. */
  close(): void | Promise<void>;
}

export function csvStream(header: readonly string[], source: LineSource, onError: (err: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      Promise.resolve(source.close()).catch(onError);
    } catch (err) {
      onError(err);
    }
  };
  // A line that did not fit in the last chunk starts the next one.
  let pending: string | null = csvLine(header);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = new Uint8Array(CHUNK_BYTES);
          let used = 0;
          for (;;) {
            if (pending === null) {
              const next = source.next();
              const cells = next instanceof Promise ? await next : next;
              if (cells === null) {
                if (used > 0) controller.enqueue(chunk.subarray(0, used));
                close();
                controller.close();
                return;
              }
              pending = csvLine(cells);
            }
            const { read, written } = encoder.encodeInto(pending, chunk.subarray(used));
            if (read === pending.length) {
              used += written;
              pending = null;
              continue;
            }
            // Full. A single line longer than a whole chunk goes out on its own.
            if (used === 0) {
              controller.enqueue(encoder.encode(pending));
              pending = null;
            } else controller.enqueue(chunk.subarray(0, used));
            return;
          }
        } catch (err) {
          close();
          onError(err);
          controller.error(err);
        }
      },
      cancel() {
        close();
      },
    },
    // One chunk queued ahead at most: the producer waits for the reader, so memory stays flat.
    { highWaterMark: 1 },
  );
}
