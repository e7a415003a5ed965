/**
 * The usage journal: rows queued for the database are on local disk until their batch commits, so
 * a process killed inside a flush window loses none, and a restart writes each of them once.
 */
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDb, openDb, setDb } from "@/db/client";
import { useSqlite } from "@/db/dialect";
import { existingRequestIds, insertUsageBatch } from "@/db/queries/usage";
import type { Logger, UsageRecord } from "@/lib/gateway/types";
import { openUsageJournal, readUsageJournal, replayUsageJournal } from "@/lib/usage/journal";
import { createUsageWriter } from "@/lib/usage/writer";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const row = (n: number): UsageRecord => ({
  requestId: `req_${n}`, endpoint: "chat", createdAt: 1_000 + n, teamId: null, keyId: null, userId: null, routeId: null, variant: null,
  stickyKey: null, requestedModel: "m", servedModel: "m", providerId: null, attempts: 1, fallbackUsed: false, stream: false,
  status: "ok", httpStatus: 200, errorType: null, promptTokens: 3, completionTokens: 4, costMicros: 7 * n, latencyMs: 5,
  ttftMs: null, queueMs: 0, firstByteMs: 1, cache: null, savedMicros: 0,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-journal-"));
  setDb(openDb(":memory:"));
  useSqlite();
});
afterEach(() => {
  closeDb();
  rmSync(dir, { recursive: true, force: true });
});

const usageIds = async () => (await existingRequestIds({ from: 0, to: 1e12, ids: Array.from({ length: 50 }, (_, i) => `req_${i}`) })).sort();

describe("the usage journal", () => {
  it("keeps every queued row on disk until its batch is written, then removes it", async () => {
    const writer = createUsageWriter({ insert: insertUsageBatch, flushMs: 3_600_000, log: quiet, journal: openUsageJournal(dir) });
    for (let i = 1; i <= 3; i++) writer.push(row(i));
    expect(readUsageJournal(dir).rows.map((r) => r.requestId)).toEqual(["req_1", "req_2", "req_3"]);
    await writer.flush();
    expect(readUsageJournal(dir).rows).toEqual([]);
    writer.push(row(4));
    expect(readUsageJournal(dir).rows.map((r) => r.requestId)).toEqual(["req_4"]);
    await writer.stop();
    expect(readUsageJournal(dir).rows).toEqual([]);
    expect(await usageIds()).toEqual(["req_1", "req_2", "req_3", "req_4"]);
  });

  it("keeps a failed batch's rows until a later write succeeds", async () => {
    let failing = true;
    const insert = async (rows: UsageRecord[]) => {
      if (failing) throw new Error("disk full");
      await insertUsageBatch(rows);
    };
    const writer = createUsageWriter({ insert, flushMs: 3_600_000, log: quiet, journal: openUsageJournal(dir) });
    writer.push(row(1));
    await writer.flush();
    writer.push(row(2));
    expect(readUsageJournal(dir).rows.map((r) => r.requestId)).toEqual(["req_1", "req_2"]);
    failing = false;
    await writer.flush();
    expect(readUsageJournal(dir).rows).toEqual([]);
    expect(await usageIds()).toEqual(["req_1", "req_2"]);
    await writer.stop();
  });

  it("after a crash, a restart writes the rows that never reached the database, once each, and skips a torn last line", async () => {
    // The first process: one batch committed, then two more rows queued, then killed (nothing closed).
    const writer = createUsageWriter({ insert: insertUsageBatch, flushMs: 3_600_000, log: quiet, journal: openUsageJournal(dir) });
    writer.push(row(1));
    writer.push(row(2));
    await writer.flush();
    writer.push(row(3));
    writer.push(row(4));
    // A batch that committed but died before its segment was removed: its rows must not be written twice.
    const [segment] = readdirSync(dir).sort().slice(-1);
    appendFileSync(join(dir, segment!), JSON.stringify(row(2)) + "\n" + '{"requestId":"req_9","endp');

    expect(await replayUsageJournal(dir, { insert: insertUsageBatch, existingRequestIds })).toBe(2);
    expect(await usageIds()).toEqual(["req_1", "req_2", "req_3", "req_4"]);
    expect(readdirSync(dir)).toEqual([]);
    // A second start finds nothing left to do.
    expect(await replayUsageJournal(dir, { insert: insertUsageBatch, existingRequestIds })).toBe(0);
  });
});
