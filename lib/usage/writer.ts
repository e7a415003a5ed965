/**
 * Usage rows are written behind the request: queued in memory and inserted in one transaction per
 * flush window, so requests never wait on the database. One batch is written at a time; rows
 * arriving meanwhile wait for the next. With a journal, each row is also appended to a local file
 * as it is queued, so a process killed inside a window loses none (journal.ts).
 */
import type { Logger, UsageRecord } from "../gateway/types";
import type { UsageJournal } from "./journal";

export interface UsageWriter {
  push(row: UsageRecord): void;
  /** Resolves once every row queued before the call is written (or, if the write failed, queued again). */
  flush(): Promise<void>;
  pending(): number;
  /** Cost of a team's rows queued or being written, created at or after `sinceMs`: spend the table does not show yet. */
  queuedSpend(teamId: string, sinceMs: number): number;
  /** Writes what is left. */
  stop(): Promise<void>;
}

export function createUsageWriter(opts: {
  insert: (rows: UsageRecord[]) => Promise<void>;
  flushMs: number;
  maxBatch?: number;
  log: Logger;
  journal?: UsageJournal;
}): UsageWriter {
  const journal = opts.journal;
  const maxBatch = opts.maxBatch ?? 5000;
  let queue: UsageRecord[] = [];
  // The batch being inserted: out of the queue, not yet in the table.
  let writing: UsageRecord[] = [];
  let inFlight: Promise<void> | null = null;
  // The write that follows the one in flight, shared by every flush asked for meanwhile.
  let next: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const write = async (batch: UsageRecord[], segments: string[]) => {
    try {
      await opts.insert(batch);
      writing = [];
      journal?.release(segments);
    } catch (err) {
      // Keep the rows for the next window rather than losing them; the disk may recover.
      writing = [];
      queue = batch.concat(queue);
      opts.log.error("usage flush failed", { rows: batch.length, error: err instanceof Error ? err.message : String(err) });
      schedule();
    }
  };

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight) {
      return (next ??= inFlight.then(() => {
        next = null;
        return flush();
      }));
    }
    if (queue.length === 0) return Promise.resolve();
    writing = queue;
    queue = [];
    const written = write(writing, journal?.cut() ?? []);
    inFlight = written;
    // Registered before any follow-up's callback, so the follow-up finds no write in flight.
    void written.then(() => {
      if (inFlight === written) inFlight = null;
    });
    return written;
  };

  const schedule = () => {
    if (!timer) {
      timer = setTimeout(() => void flush(), opts.flushMs);
      timer.unref?.();
    }
  };

  return {
    push(row) {
      journal?.append(row);
      queue.push(row);
      if (queue.length >= maxBatch) void flush();
      else schedule();
    },
    flush,
    pending: () => queue.length + writing.length,
    queuedSpend(teamId, sinceMs) {
      let sum = 0;
      for (const rows of [queue, writing]) for (const row of rows) if (row.teamId === teamId && row.createdAt >= sinceMs) sum += row.costMicros;
      return sum;
    },
    async stop() {
      await flush();
      if (timer) clearTimeout(timer);
      timer = null;
      journal?.close();
    },
  };
}
