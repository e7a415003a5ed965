/**
 * A local append-only record of usage rows not yet in the database. The writer batches rows in
 * memory for up to a flush window; a process killed inside that window (kill -9, OOM) would lose
 * them, though their requests were answered. So each row is appended here when it is queued (one
 * write(2), which survives the process dying, if not the machine), and a segment is deleted once
 * the batch holding its rows is committed. At start, rows left in segments are written to the
 * database unless a row with the same request id is already there.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { UsageRecord } from "../gateway/types";

export interface UsageJournal {
  append(row: UsageRecord): void;
  /** Starts a new segment; returns the segments holding every row appended so far. */
  cut(): string[];
  /** The rows of these segments are committed: their files go. */
  release(segments: string[]): void;
  close(): void;
}

const SEGMENT = /^usage-(\d+)-(\d+)\.jsonl$/;

export function openUsageJournal(dir: string): UsageJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Names sort in write order within a process; the start time keeps them apart across restarts.
  const epoch = Date.now();
  let n = 0;
  let path = "";
  let fd = -1;
  let written = false;
  const open = () => {
    path = join(dir, `usage-${epoch}-${String(++n).padStart(9, "0")}.jsonl`);
    fd = openSync(path, "a", 0o600);
    written = false;
  };
  // Sealed segments whose rows are not committed yet, oldest first.
  const sealed: string[] = [];
  open();
  return {
    append(row) {
      writeSync(fd, JSON.stringify(row) + "\n");
      written = true;
    },
    cut() {
      if (written) {
        closeSync(fd);
        sealed.push(path);
        open();
      }
      return [...sealed];
    },
    release(segments) {
      for (const s of segments) {
        rmSync(s, { force: true });
        const i = sealed.indexOf(s);
        if (i >= 0) sealed.splice(i, 1);
      }
    },
    close() {
      closeSync(fd);
      if (!written) rmSync(path, { force: true });
    },
  };
}

/** Rows left by an earlier process, with the files they came from. A torn last line (the process died mid-write) is skipped. */
export function readUsageJournal(dir: string): { rows: UsageRecord[]; files: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => SEGMENT.test(f)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { rows: [], files: [] };
    throw err;
  }
  const rows: UsageRecord[] = [];
  for (const name of names) {
    for (const line of readFileSync(join(dir, name), "utf8").split("\n")) {
      if (!line) continue;
      try {
        rows.push(JSON.parse(line) as UsageRecord);
      } catch {
        // Only the last line of a segment can be torn; anything else unreadable is skipped the same way.
      }
    }
  }
  return { rows, files: names.map((f) => join(dir, f)) };
}

/**
 * Writes the rows an earlier process left in the journal and not in the database (a row whose
 * request id is there already was committed before the process died), then removes the files.
 * Returns how many rows were written.
 */
export async function replayUsageJournal(
  dir: string,
  db: { insert(rows: UsageRecord[]): Promise<void>; existingRequestIds(q: { from: number; to: number; ids: string[] }): Promise<string[]> },
): Promise<number> {
  const { rows, files } = readUsageJournal(dir);
  let written = 0;
  if (rows.length > 0) {
    const unique = [...new Map(rows.map((r) => [r.requestId, r])).values()];
    const from = Math.min(...unique.map((r) => r.createdAt));
    const to = Math.max(...unique.map((r) => r.createdAt));
    const present = new Set(await db.existingRequestIds({ from, to, ids: unique.map((r) => r.requestId) }));
    const missing = unique.filter((r) => !present.has(r.requestId));
    await db.insert(missing);
    written = missing.length;
  }
  for (const f of files) rmSync(f, { force: true });
  return written;
}
