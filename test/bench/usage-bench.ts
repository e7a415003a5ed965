/**
 * Usage reports at 1,000,000 rows: seeds a fresh database through the real migrations, starts the
 * built server on it, downloads the whole raw CSV export while sampling the server's RSS (growth
 * must stay under 100 MB), then times every dashboard aggregate over HTTP (each must answer in
 * under 1 s). Prints the numbers and adds them to test/bench/RESULTS.md.
 *
 *   NEXT_TELEMETRY_DISABLED=1 npx next build   (once, if the build is older than the code)
 *   npx tsx test/bench/usage-bench.ts [--rows N] [--no-write]
 */
import { execSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { openDb } from "../../db/client";
import { startOfUtcDay } from "../../lib/gateway/period";
import { startServer, type TestServer } from "../helpers/server";
import { seedUsage } from "./usage-seed";

const DAY_MS = 86_400_000;
const LIMIT_MS = 1000;
const RSS_LIMIT_BYTES = 100 * 1024 * 1024;
const RUNS = 5;
const RESULTS_FILE = join(process.cwd(), "test/bench/RESULTS.md");
const SECTION = "## Usage reports at 1,000,000 rows";

const args = process.argv.slice(2);
const ROWS = Number(args[args.indexOf("--rows") + 1]) || 1_000_000;
const WRITE = !args.includes("--no-write");

const hex = (i: number) => i.toString(16).padStart(24, "0");
const TEAMS = Array.from({ length: 20 }, (_, i) => ({ id: `team_${hex(i)}`, name: `team-${String(i).padStart(2, "0")}` }));
const MODELS = ["gpt-4o-mini", "gpt-4.1", "claude-sonnet-4", "llama-3.3-70b", "mixtral-8x22b", "qwen-2.5-7b-instruct"];
const ROUTES = [
  { id: `route_${hex(1)}`, name: "chat" },
  { id: `route_${hex(2)}`, name: "code" },
];

function seed(dbPath: string, now: number): { seconds: number; costMicros: number; fileBytes: number } {
  const started = performance.now();
  const db = openDb(dbPath);
  const sqlite = db.$client;
  const insertTeam = sqlite.prepare(
    "insert into teams (id, name, daily_budget_micros, monthly_budget_micros, created_at, updated_at) values (?, ?, ?, ?, ?, ?)",
  );
  for (const [i, t] of TEAMS.entries()) insertTeam.run(t.id, t.name, i % 3 === 0 ? null : 50_000_000, i % 2 === 0 ? null : 2_000_000_000, now, now);
  // Paused, so the rollout loop leaves them alone; they are here so `route=<name>` resolves.
  const insertRoute = sqlite.prepare(
    "insert into routes (id, name, seed, status, control_model, candidate_model, candidate_weight, stages, stage_started_at, guardrails, created_at, updated_at) values (?, ?, 'seed', 'paused', ?, ?, 20, '[5,25,50,100]', ?, '{}', ?, ?)",
  );
  for (const r of ROUTES) insertRoute.run(r.id, r.name, MODELS[0], MODELS[1], now, now, now);
  const { costMicros } = seedUsage(sqlite, { rows: ROWS, from: startOfUtcDay(now) - 29 * DAY_MS, to: now - 1000, teams: TEAMS.map((t) => t.id), models: MODELS, routes: ROUTES });
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
  const fileBytes = statSync(dbPath).size;
  return { seconds: (performance.now() - started) / 1000, costMicros, fileBytes };
}

interface Timing {
  name: string;
  path: string;
  ms: number[];
  bytes: number;
}

async function time(server: TestServer, name: string, path: string): Promise<Timing> {
  const ms: number[] = [];
  let bytes = 0;
  // One warm-up (page cache, prepared statements), then the measured runs.
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const res = await server.admin(path);
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${body.slice(0, 300)}`);
    bytes = body.length;
    if (i > 0) ms.push(elapsed);
  }
  return { name, path, ms, bytes };
}

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
};

async function exportRaw(server: TestServer): Promise<{ seconds: number; bytes: number; lines: number; baseRss: number; peakRss: number; samples: number }> {
  const pid = server.proc.pid!;
  const baseRss = rssOf(pid);
  let peakRss = baseRss;
  let samples = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(pid));
    samples++;
  }, 50);
  const started = performance.now();
  const res = await server.admin("/api/usage/export.csv?rows=raw&from=2000-01-01");
  if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssOf(pid));
  return { seconds: (performance.now() - started) / 1000, bytes, lines, baseRss, peakRss, samples };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const fmt = (n: number) => n.toLocaleString("en-US");

function commit(): string {
  try {
    const sha = execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execSync("git status --porcelain", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown";
  }
}

/** Adds this run under the usage section (newest first), creating the section at the end of the file. */
function writeResults(run: string): void {
  const old = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, "utf8") : "# Benchmark results\n";
  const at = old.indexOf(SECTION);
  if (at === -1) {
    const intro = [
      SECTION,
      "",
      "Written by `npx tsx test/bench/usage-bench.ts`; newest run first. A fresh database is seeded through the real",
      "migrations with synthetic usage rows (20 teams, skewed; 6 models; 30 % of requests through 2 routes; 93 % ok) spread",
      "over the default report range (the last 30 UTC days). The built server then streams the raw CSV export of every row",
      "while its RSS is sampled every 50 ms (target: growth under 100 MB), and answers each dashboard aggregate over HTTP",
      "(one warm-up, then 5 timed runs; target: every run under 1 s).",
      "",
    ].join("\n");
    writeFileSync(RESULTS_FILE, `${old.trimEnd()}\n\n${intro}\n${run}`);
    return;
  }
  const bodyStart = old.indexOf("\n### ", at);
  const insertAt = bodyStart === -1 ? old.length : bodyStart + 1;
  writeFileSync(RESULTS_FILE, `${old.slice(0, insertAt)}${run}\n${old.slice(insertAt)}`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-usage-bench-"));
  const dbPath = join(dir, "switchyard.db");
  const now = Date.now();
  const load = loadavg();
  console.log(`usage-bench: seeding ${fmt(ROWS)} rows into ${dbPath}`);
  const seeded = seed(dbPath, now);
  console.log(`usage-bench: seeded in ${seeded.seconds.toFixed(1)} s, database ${mib(seeded.fileBytes)}`);

  const server = await startServer({ dir });
  try {
    // The export runs first, on a fresh server, so the aggregates' garbage cannot hide its growth.
    await (await server.admin("/api/usage/export.csv?rows=grouped")).text();
    console.log("usage-bench: streaming the raw export");
    const exp = await exportRaw(server);
    const growth = exp.peakRss - exp.baseRss;
    console.log(
      `  ${fmt(exp.lines - 1)} rows, ${mib(exp.bytes)} in ${exp.seconds.toFixed(1)} s; RSS ${mib(exp.baseRss)} before, peak ${mib(exp.peakRss)} (growth ${mib(growth)}, ${exp.samples} samples)`,
    );

    const top = TEAMS[0]!.id;
    const cases: Array<[string, string]> = [
      ["by day (default: last 30 days)", "/api/usage?groupBy=day"],
      ["by team", "/api/usage?groupBy=team"],
      ["by model", "/api/usage?groupBy=model"],
      ["by variant", "/api/usage?groupBy=variant"],
      ["by day, one team (a team key's view)", `/api/usage?groupBy=day&teamId=${top}`],
      ["by day, one model", `/api/usage?groupBy=day&model=${MODELS[1]}`],
      ["by variant, one route by name", "/api/usage?groupBy=variant&route=chat"],
      ["top 10 teams by spend", "/api/usage/top?by=team"],
      ["top 10 models by spend", "/api/usage/top?by=model"],
      ["top 10 keys by spend", "/api/usage/top?by=key"],
      ["budgets", "/api/usage/budgets"],
      ["grouped CSV by team", "/api/usage/export.csv?rows=grouped&groupBy=team"],
      ["request log, first page", "/api/usage/requests"],
      ["request log, one team", `/api/usage/requests?teamId=${top}`],
      ["request log, one outcome", "/api/usage/requests?status=budget_exceeded"],
    ];
    const timings: Timing[] = [];
    for (const [name, path] of cases) {
      const t = await time(server, name, path);
      timings.push(t);
      console.log(`  ${name.padEnd(40)} median ${median(t.ms).toFixed(0).padStart(4)} ms  max ${Math.max(...t.ms).toFixed(0).padStart(4)} ms`);
    }

    // The totals of the default report must be the seeded rows, to the micro-dollar.
    const report = (await (await server.admin("/api/usage?groupBy=team")).json()) as { totals: { requests: number; costUsd: number } };
    const totalsOk = report.totals.requests === ROWS && Math.round(report.totals.costUsd * 1e6) === seeded.costMicros;

    const slow = timings.filter((t) => Math.max(...t.ms) >= LIMIT_MS);
    const pass = slow.length === 0 && growth < RSS_LIMIT_BYTES && exp.lines - 1 === ROWS && totalsOk;
    const when = new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC";
    const run = [
      `### ${when} · ${commit()}${ROWS === 1_000_000 ? "" : ` · ${fmt(ROWS)} rows`}`,
      "",
      `- node ${process.version}; ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; load average before: ${load.map((l) => l.toFixed(2)).join(", ")}`,
      `- seeded ${fmt(ROWS)} rows in ${seeded.seconds.toFixed(1)} s; database file ${mib(seeded.fileBytes)} (table and its five covering indexes)`,
      "",
      "| aggregate | request | median ms | max ms | answer |",
      "|---|---|--:|--:|--:|",
      ...timings.map((t) => `| ${t.name} | \`${t.path}\` | ${median(t.ms).toFixed(0)} | ${Math.max(...t.ms).toFixed(0)} | ${fmt(t.bytes)} B |`),
      "",
      `- totals equal the seeded rows (count and micro-dollars): ${totalsOk ? "yes" : "NO"}`,
      `- raw CSV export: ${fmt(exp.lines - 1)} rows, ${mib(exp.bytes)} in ${exp.seconds.toFixed(1)} s (${fmt(Math.round((exp.lines - 1) / exp.seconds))} rows/s); server RSS ${mib(exp.baseRss)} before, peak ${mib(exp.peakRss)}: growth ${mib(growth)}`,
      `- result: ${pass ? "PASS" : "FAIL"} (every aggregate < ${LIMIT_MS} ms in every run: ${slow.length === 0 ? "yes" : `no: ${slow.map((t) => t.name).join(", ")}`}; RSS growth < 100 MB: ${growth < RSS_LIMIT_BYTES ? "yes" : "no"})`,
      "",
    ].join("\n");
    console.log("\n" + run);
    if (WRITE) {
      writeResults(run);
      console.log(`usage-bench: written to ${RESULTS_FILE}`);
    }
    process.exitCode = pass ? 0 : 1;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
