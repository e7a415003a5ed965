/**
 * Usage rows are written behind the request: queued in memory and inserted in one transaction per
 * flush window, so a crash loses at most one window and requests never wait on the disk.
 */
import type { Logger, UsageRecord } from "../gateway/types";

export interface UsageWriter {
  push(row: UsageRecord): void;
  flush(): void;
  pending(): number;
  /** Cost of a team's rows still queued, created at or after `sinceMs`: spend the table does not show yet. */
  queuedSpend(teamId: string, sinceMs: number): number;
  stop(): void;
}

export function createUsageWriter(opts: {
  insert: (rows: UsageRecord[]) => void;
  flushMs: number;
  maxBatch?: number;
  log: Logger;
}): UsageWriter {
  const maxBatch = opts.maxBatch ?? 5000;
  let queue: UsageRecord[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    try {
      opts.insert(batch);
    } catch (err) {
      // Keep the rows for the next window rather than losing them; the disk may recover.
      queue = batch.concat(queue);
      opts.log.error("usage flush failed", { rows: batch.length, error: err instanceof Error ? err.message : String(err) });
      schedule();
    }
  };

  const schedule = () => {
    if (!timer) {
      timer = setTimeout(flush, opts.flushMs);
      timer.unref?.();
    }
  };

  return {
    push(row) {
      queue.push(row);
      if (queue.length >= maxBatch) flush();
      else schedule();
    },
    flush,
    pending: () => queue.length,
    queuedSpend(teamId, sinceMs) {
      let sum = 0;
      for (const row of queue) if (row.teamId === teamId && row.createdAt >= sinceMs) sum += row.costMicros;
      return sum;
    },
    stop() {
      flush();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
