/**
 * Usage accounting throughput: usage rows through the real writer (lib/usage/writer.ts) into a
 * fresh database made by the real migrations. First as fast as they can be pushed (rows/s, and how
 * long each flush holds the event loop), then at a steady rate while Node's event-loop delay
 * monitor runs, once writing and once with the insert replaced by nothing, so the lag the writes
 * add shows against the same loop without them. Prints one JSON line on stdout.
 *
 *   tsx test/bench/usage-writer-bench.ts [--rows 200000] [--rate 5000] [--seconds 4]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { closeDb, getDb, openDb, setDb } from "../../db/client";
import { insertUsageBatch } from "../../db/queries/usage";
import { parseEnv } from "../../lib/env";
import type { UsageRecord } from "../../lib/gateway/types";
import { createLogger } from "../../lib/log";
import { createUsageWriter } from "../../lib/usage/writer";
import { ms, percentile, Samples } from "./stats";

export interface SteadyRun {
  rowsPerS: number;
  seconds: number;
  rows: number;
  flushes: number;
  flushP99Ms: number | null;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

export interface UsageWriterResult {
  rows: number;
  /** True when the fast run hit its time limit before pushing every row asked for. */
  stoppedEarly: boolean;
  /** Rows over the time spent inside the writer's insert (the transactions). */
  insertRowsPerS: number;
  /** Rows over the whole push loop, making the rows included. */
  wallRowsPerS: number;
  /** The largest flush: the writer's batch ceiling when rows come faster than its window. */
  batchRows: number;
  flushes: number;
  flushP50Ms: number | null;
  flushP99Ms: number | null;
  flushMaxMs: number | null;
  rowsInDb: number;
  flushMs: number;
  steady: SteadyRun;
  /** The same steady run with an insert that does nothing. */
  baseline: SteadyRun;
}

const MAX_ROWS = 5_000_000;
const MAX_SECONDS = 60;
// The fast run stops here even short of its rows, so a slow disk cannot stretch the whole benchmark.
const FAST_RUN_LIMIT_MS = 45_000;
// The fast run's rows carry times as if 20,000 requests a second finished (the writer's target).
const ARRIVALS_PER_MS = 20;
const TEAMS = Array.from({ length: 20 }, (_, i) => `team_${String(i).padStart(24, "0")}`);
const MODELS = ["bench-fast-a", "bench-fast-b", "bench-stream-a", "bench-stream-b"];

/** A row shaped like the ones the gateway writes for a successful request. */
function makeRow(i: number, now: number): UsageRecord {
  const routed = i % 3 === 0;
  const stream = i % 2 === 0;
  return {
    requestId: `req_${i.toString(16).padStart(32, "0")}`,
    endpoint: "chat",
    cache: null,
    savedMicros: 0,
    createdAt: now,
    teamId: TEAMS[i % TEAMS.length]!,
    keyId: `key_${String(i % 50).padStart(24, "0")}`,
    userId: null,
    routeId: routed ? "route_000000000000000000000001" : null,
    variant: routed ? (i % 2 === 0 ? "control" : "candidate") : null,
    stickyKey: routed ? `key:key_${String(i % 50).padStart(24, "0")}` : null,
    requestedModel: routed ? "route-bench" : MODELS[i % MODELS.length]!,
    servedModel: MODELS[i % MODELS.length]!,
    providerId: "prov_000000000000000000000001",
    attempts: 1,
    fallbackUsed: false,
    stream,
    status: "ok",
    httpStatus: 200,
    errorType: null,
    promptTokens: 12 + (i % 200),
    completionTokens: 16 + (i % 500),
    costMicros: 10 + (i % 300),
    latencyMs: 2 + (i % 40),
    queueMs: 0,
    firstByteMs: 1 + (i % 20),
    ttftMs: stream ? 1 + (i % 30) : null,
  };
}

function timedInsert(durations: Samples, into: (rows: UsageRecord[]) => Promise<void>) {
  let rows = 0;
  let spentMs = 0;
  let largest = 0;
  return {
    async insert(batch: UsageRecord[]) {
      largest = Math.max(largest, batch.length);
      const t0 = performance.now();
      await into(batch);
      const took = performance.now() - t0;
      durations.add(took);
      spentMs += took;
      rows += batch.length;
    },
    totals: () => ({ rows, spentMs, largest }),
  };
}

const log = createLogger("warn", (line) => process.stderr.write(line));

async function pushAsFastAsPossible(rows: number, flushMs: number) {
  const durations = new Samples(rows);
  const timed = timedInsert(durations, insertUsageBatch);
  const writer = createUsageWriter({ insert: timed.insert, flushMs, log });
  // Rows are stamped as if requests finished at ARRIVALS_PER_MS, not all in one millisecond: with one
  // created_at for every row, the indexes that follow created_at with other columns take each
  // insert at a random place instead of at their end, a shape no real traffic has (it measured
  // 8,700 rows/s at 200,000 rows against 61,000 with the rows' times spread).
  const start = Date.now();
  const t0 = performance.now();
  let pushed = 0;
  // The clock is read once per thousand rows; pushing a row costs far less than reading it.
  while (pushed < rows && (pushed % 1000 !== 0 || performance.now() - t0 < FAST_RUN_LIMIT_MS)) {
    writer.push(makeRow(pushed, start + Math.floor(pushed / ARRIVALS_PER_MS)));
    pushed++;
    // Requests finish on separate turns of the event loop, which is where a full batch's write
    // completes and the next may start.
    if (pushed % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.stop();
  const wallMs = performance.now() - t0;
  const sorted = durations.sorted();
  return {
    rows: pushed,
    stoppedEarly: pushed < rows,
    insertRowsPerS: Math.round(timed.totals().rows / (timed.totals().spentMs / 1000)),
    wallRowsPerS: Math.round(pushed / (wallMs / 1000)),
    batchRows: timed.totals().largest,
    flushes: durations.count,
    flushP50Ms: ms(percentile(sorted, 50)),
    flushP99Ms: ms(percentile(sorted, 99)),
    flushMaxMs: ms(sorted.length ? sorted[sorted.length - 1]! : null),
  };
}

/** Pushes `rate` rows/s for `seconds`, a few each millisecond as requests would finish, and records the loop's delay. */
async function pushSteadily(opts: { rate: number; seconds: number; flushMs: number; firstRow: number; insert: (rows: UsageRecord[]) => Promise<void> }): Promise<SteadyRun> {
  const durations = new Samples(100_000);
  const timed = timedInsert(durations, opts.insert);
  const writer = createUsageWriter({ insert: timed.insert, flushMs: opts.flushMs, log });
  const total = Math.floor(opts.rate * opts.seconds);
  const monitor = monitorEventLoopDelay({ resolution: 1 });
  monitor.enable();
  const began = performance.now();
  let pushed = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - began;
      const due = Math.min(total, Math.floor((elapsed / 1000) * opts.rate));
      for (; pushed < due; pushed++) writer.push(makeRow(opts.firstRow + pushed, Date.now()));
      if (pushed >= total || elapsed > (opts.seconds + 5) * 1000) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  monitor.disable();
  await writer.stop();
  const sorted = durations.sorted();
  const lag = (p: number) => ms(monitor.percentile(p) / 1e6);
  return {
    rowsPerS: opts.rate,
    seconds: opts.seconds,
    rows: pushed,
    flushes: durations.count,
    flushP99Ms: ms(percentile(sorted, 99)),
    lagP50Ms: lag(50),
    lagP99Ms: lag(99),
    lagMaxMs: ms(monitor.max / 1e6),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "200000" },
      rate: { type: "string", default: "5000" },
      seconds: { type: "string", default: "4" },
    },
  });
  const rows = Math.floor(Number(values.rows));
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (!(rows >= 1 && rows <= MAX_ROWS)) throw new Error(`--rows must be in [1, ${MAX_ROWS}]`);
  if (!(rate > 0 && rate <= 1_000_000)) throw new Error("--rate must be in (0, 1000000]");
  if (!(seconds > 0 && seconds <= MAX_SECONDS)) throw new Error(`--seconds must be in (0, ${MAX_SECONDS}]`);
  if (process.send) process.on("disconnect", () => process.exit(3));
  const hardStop = setTimeout(() => {
    console.error("usage writer benchmark exceeded its time limit");
    process.exit(2);
  }, 180_000);

  // The server's own flush window, so the steady run batches as the gateway does.
  const flushMs = parseEnv({ NODE_ENV: "production" }).SWITCHYARD_USAGE_FLUSH_MS;
  const dir = mkdtempSync(join(tmpdir(), "switchyard-usage-writer-"));
  try {
    setDb(openDb(join(dir, "usage.db")));
    const fast = await pushAsFastAsPossible(rows, flushMs);
    const steady = await pushSteadily({ rate, seconds, flushMs, firstRow: fast.rows, insert: insertUsageBatch });
    const baseline = await pushSteadily({ rate, seconds, flushMs, firstRow: 0, insert: async () => {} });
    const counted = getDb().$client.prepare("select count(*) as n from usage").get() as { n: number };
    const result: UsageWriterResult = { ...fast, rowsInDb: counted.n, flushMs, steady, baseline };
    if (counted.n !== fast.rows + steady.rows) throw new Error(`expected ${fast.rows + steady.rows} rows in the database, found ${counted.n}`);
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    closeDb();
    rmSync(dir, { recursive: true, force: true });
    clearTimeout(hardStop);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
