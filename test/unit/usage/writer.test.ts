/**
 * The usage writer against an insert the test holds open, so what happens while a batch is being
 * written can be looked at: one write at a time, spend counted until it lands, failures kept.
 */
import { describe, expect, it } from "vitest";
import type { Logger, UsageRecord } from "@/lib/gateway/types";
import { createUsageWriter } from "@/lib/usage/writer";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const row = (n: number, costMicros = 10): UsageRecord => ({ requestId: `req_${n}`, teamId: "team_a", createdAt: 1_000 + n, costMicros }) as UsageRecord;

/** An insert whose writes finish only when the test says so. */
function heldInsert() {
  const calls: Array<{ rows: UsageRecord[]; finish: () => void; fail: (err: Error) => void }> = [];
  let running = 0;
  let mostAtOnce = 0;
  const insert = (rows: UsageRecord[]) =>
    new Promise<void>((resolve, reject) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      const done = () => running--;
      calls.push({ rows, finish: () => (done(), resolve()), fail: (err) => (done(), reject(err)) });
    });
  return { insert, calls, mostAtOnce: () => mostAtOnce };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the usage writer", () => {
  it("writes one batch at a time: rows arriving during a write go in the next one", async () => {
    const held = heldInsert();
    const writer = createUsageWriter({ insert: held.insert, flushMs: 3_600_000, log: quiet });
    writer.push(row(1));
    const first = writer.flush();
    writer.push(row(2));
    writer.push(row(3));
    const second = writer.flush();
    const third = writer.flush();
    await settle();
    expect(held.calls.map((c) => c.rows.length)).toEqual([1]);

    held.calls[0]!.finish();
    await first;
    await settle();
    expect(held.calls.map((c) => c.rows.map((r) => r.requestId))).toEqual([["req_1"], ["req_2", "req_3"]]);
    held.calls[1]!.finish();
    await Promise.all([second, third]);
    expect(held.mostAtOnce()).toBe(1);
    expect(writer.pending()).toBe(0);
  });

  it("resolves a flush only once every row queued before it is written", async () => {
    const held = heldInsert();
    const writer = createUsageWriter({ insert: held.insert, flushMs: 3_600_000, log: quiet });
    writer.push(row(1));
    void writer.flush();
    writer.push(row(2));
    let flushed = false;
    const flush = writer.flush().then(() => (flushed = true));
    held.calls[0]!.finish();
    await settle();
    expect(flushed).toBe(false);
    held.calls[1]!.finish();
    await flush;
    expect(flushed).toBe(true);
  });

  it("counts a team's rows as spend while they are queued and while they are being written", async () => {
    const held = heldInsert();
    const writer = createUsageWriter({ insert: held.insert, flushMs: 3_600_000, log: quiet });
    writer.push(row(1, 100));
    writer.push(row(2, 50));
    expect(writer.queuedSpend("team_a", 0)).toBe(150);
    const flush = writer.flush();
    writer.push(row(3, 7));
    expect(writer.queuedSpend("team_a", 0)).toBe(157);
    expect(writer.queuedSpend("team_a", 1_002)).toBe(57);
    expect(writer.queuedSpend("team_b", 0)).toBe(0);
    held.calls[0]!.finish();
    await flush;
    expect(writer.queuedSpend("team_a", 0)).toBe(7);
  });

  it("keeps the rows of a failed write, still counted, for the next window, and logs the failure", async () => {
    const held = heldInsert();
    const errors: string[] = [];
    const log: Logger = { ...quiet, error: (msg) => void errors.push(msg) };
    const writer = createUsageWriter({ insert: held.insert, flushMs: 3_600_000, log });
    writer.push(row(1, 100));
    const flush = writer.flush();
    writer.push(row(2, 1));
    held.calls[0]!.fail(new Error("disk full"));
    await flush;
    expect(errors).toEqual(["usage flush failed"]);
    expect(writer.pending()).toBe(2);
    expect(writer.queuedSpend("team_a", 0)).toBe(101);

    const stopped = writer.stop();
    await settle();
    expect(held.calls[1]!.rows.map((r) => r.requestId)).toEqual(["req_1", "req_2"]);
    held.calls[1]!.finish();
    await stopped;
    expect(writer.pending()).toBe(0);
  });

  it("writes what is left when stopped, after a write already in flight", async () => {
    const held = heldInsert();
    const writer = createUsageWriter({ insert: held.insert, flushMs: 3_600_000, log: quiet });
    writer.push(row(1));
    void writer.flush();
    writer.push(row(2));
    let stopped = false;
    const stop = writer.stop().then(() => (stopped = true));
    held.calls[0]!.finish();
    await settle();
    expect(stopped).toBe(false);
    held.calls[1]!.finish();
    await stop;
    expect(held.calls.flatMap((c) => c.rows.map((r) => r.requestId))).toEqual(["req_1", "req_2"]);
  });
});
