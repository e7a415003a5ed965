/**
 * Postgres usage insert throughput: batches of usage rows through insertUsageBatch
 * (db/queries-pg/usage.ts) into the real schema, all nine usage indexes included, made by the
 * real migrations. Uses a throwaway server (fsync off, like the tests) unless --url names one.
 * Not part of the test suite. Prints one JSON line on stdout.
 *
 *   tsx test/bench/pg-usage-writer-bench.ts [--rows 200000] [--batch 5000] [--url postgres://…]
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { closePgDb, openPgDb } from "../../db/client-pg";
import { insertUsageBatch } from "../../db/queries-pg/usage";
import type { NewUsageRow } from "../../db/schema-pg";
import { startPostgres, type TestPostgres } from "../helpers/postgres-server";

const MAX_ROWS = 5_000_000;
// Rows carry times as if 20,000 requests a second finished, as in usage-writer-bench.ts: one
// created_at for all rows would make every index take its inserts at one random place.
const ARRIVALS_PER_MS = 20;
const TEAMS = Array.from({ length: 20 }, (_, i) => `team_${String(i).padStart(24, "0")}`);
const MODELS = ["bench-fast-a", "bench-fast-b", "bench-stream-a", "bench-stream-b"];

/** A row shaped like the ones the gateway writes for a successful request. */
function makeRow(i: number, now: number): NewUsageRow {
  const routed = i % 3 === 0;
  const stream = i % 2 === 0;
  const key = `key_${String(i % 50).padStart(24, "0")}`;
  return {
    requestId: `req_${i.toString(16).padStart(32, "0")}`,
    endpoint: "chat",
    createdAt: now,
    teamId: TEAMS[i % TEAMS.length]!,
    keyId: key,
    userId: null,
    routeId: routed ? "route_000000000000000000000001" : null,
    variant: routed ? (i % 2 === 0 ? "control" : "candidate") : null,
    stickyKey: routed ? `key:${key}` : null,
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
    ttftMs: stream ? 1 + (i % 30) : null,
    queueMs: 0,
    firstByteMs: 1 + (i % 20),
    cache: null,
    savedMicros: 0,
  };
}

/**
 * CPU seconds a local process has used (user + system), from /proc; null when it cannot be read.
 * The machine this runs on is often shared, so wall time alone says more about the neighbours than
 * about the insert.
 */
function cpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "200000" },
      batch: { type: "string", default: "5000" },
      url: { type: "string" },
    },
  });
  const rows = Math.floor(Number(values.rows));
  const batch = Math.floor(Number(values.batch));
  if (!(rows >= 1 && rows <= MAX_ROWS)) throw new Error(`--rows must be in [1, ${MAX_ROWS}]`);
  if (!(batch >= 1 && batch <= 100_000)) throw new Error("--batch must be in [1, 100000]");
  const hardStop = setTimeout(() => {
    console.error("Postgres usage insert benchmark exceeded its time limit");
    process.exit(2);
  }, 300_000);

  let server: TestPostgres | undefined;
  try {
    let url = values.url;
    if (!url) {
      server = await startPostgres();
      url = await server.createDatabase("bench");
    }
    const db = await openPgDb({ url, max: 1 });
    try {
      await db.$client.query(`TRUNCATE "usage"`);
      // max: 1 above, so every insert runs on this one server process.
      const { rows: backend } = await db.$client.query<{ pid: number }>("select pg_backend_pid() as pid");
      const serverPid = server ? backend[0]!.pid : null;
      const serverCpu0 = serverPid === null ? null : cpuSeconds(serverPid);
      const clientCpu0 = process.cpuUsage();
      const start = Date.now();
      let spentMs = 0;
      let slowestMs = 0;
      for (let done = 0; done < rows; done += batch) {
        const chunk: NewUsageRow[] = [];
        for (let i = done; i < Math.min(rows, done + batch); i++) chunk.push(makeRow(i, start + Math.floor(i / ARRIVALS_PER_MS)));
        const t0 = performance.now();
        await insertUsageBatch(db, chunk);
        const took = performance.now() - t0;
        spentMs += took;
        slowestMs = Math.max(slowestMs, took);
      }
      const serverCpu1 = serverPid === null ? null : cpuSeconds(serverPid);
      const clientCpu = process.cpuUsage(clientCpu0);
      const counted = await db.$client.query<{ n: string }>(`select count(*) as n from "usage"`);
      if (Number(counted.rows[0]!.n) !== rows) throw new Error(`expected ${rows} rows, found ${counted.rows[0]!.n}`);
      const result = {
        rows,
        batch,
        server: values.url ? "given" : "throwaway (fsync off)",
        rowsPerS: Math.round(rows / (spentMs / 1000)),
        batchMeanMs: Math.round((spentMs / Math.ceil(rows / batch)) * 10) / 10,
        batchMaxMs: Math.round(slowestMs * 10) / 10,
        // Rows per second of the server process's own CPU time: what one idle core would do.
        rowsPerServerCpuS: serverCpu0 === null || serverCpu1 === null ? null : Math.round(rows / Math.max(0.01, serverCpu1 - serverCpu0)),
        // The client's CPU over the whole loop, making the rows included.
        clientCpuS: Math.round(((clientCpu.user + clientCpu.system) / 1e6) * 100) / 100,
      };
      process.stdout.write(JSON.stringify(result) + "\n");
    } finally {
      await closePgDb(db);
    }
  } finally {
    await server?.stop();
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
