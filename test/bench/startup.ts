/**
 * Start-up benchmark: the time from spawning what `npm start` runs (its command, flags and
 * environment; npm's own start and the build check before it are not counted) to the first 200
 * from /api/health, the CPU the server spent until then, and its resident memory after idling.
 * Each run is a first start on an empty database (migrations, demo seed) followed by a restart on
 * the same database.
 *
 *   npx tsx test/bench/startup.ts [--runs 5] [--idle-seconds 5]
 *   npm run bench -- --startup      the same, with the build checked first
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startCommand } from "../helpers/start-command";
import { freePort, readRss } from "./processes";

export interface StartSample {
  /** Spawn to the first 200 from /api/health. */
  healthyMs: number;
  /** User + system CPU time of the server process at that moment. */
  cpuMs: number;
  /** Resident set after idling for the given seconds with no traffic. */
  idleRssBytes: number | null;
  /** After one API request and one page (first starts only): what lazy loading had put off. */
  usedRssBytes: number | null;
  /** How long those two first requests took together (first starts only). */
  firstUseMs: number | null;
}

export interface StartupResult {
  command: string;
  runs: number;
  idleSeconds: number;
  loadAvg: number[];
  first: StartSample[];
  restart: StartSample[];
}

/** Start-up targets from the issue. */
export const STARTUP_TARGETS = { healthyMs: 2000, idleRssBytes: 200e6 };

const HEALTH_POLL_MS = 10;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));


/** utime + stime of a process, from /proc (Linux), in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One start of the server on `dir`'s database, measured, then stopped with SIGTERM. */
async function startOnce(dir: string, idleSeconds: number, demoKey?: string): Promise<{ sample: StartSample; demoKey?: string }> {
  const start = startCommand(ROOT);
  const port = await freePort();
  const began = performance.now();
  const proc = spawn(process.execPath, [...start.nodeFlags, start.entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...start.env,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      DATABASE_PATH: join(dir, "switchyard.db"),
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    while (!(await healthy(`${base}/api/health`))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`server did not become healthy:\n${out.slice(-4000)}`);
      await sleep(HEALTH_POLL_MS);
    }
    const healthyMs = performance.now() - began;
    const cpu = cpuMs(proc.pid!);
    await sleep(idleSeconds * 1000);
    const idleRssBytes = readRss(proc.pid!)?.rss ?? null;

    const key = demoKey ?? /Demo API key \(shown once\): (\S+)/.exec(out)?.[1];
    let usedRssBytes: number | null = null;
    let firstUseMs: number | null = null;
    if (!demoKey && key) {
      const used = performance.now();
      const chat = await fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "sim-fast", max_tokens: 8, messages: [{ role: "user", content: "hello" }] }),
      });
      await chat.arrayBuffer();
      const page = await fetch(`${base}/sign-in`);
      await page.arrayBuffer();
      if (chat.status !== 200 || page.status !== 200) throw new Error(`first requests answered ${chat.status} and ${page.status}`);
      firstUseMs = performance.now() - used;
      await sleep(1000);
      usedRssBytes = readRss(proc.pid!)?.rss ?? null;
    }
    return { sample: { healthyMs, cpuMs: cpu, idleRssBytes, usedRssBytes, firstUseMs }, demoKey: key };
  } finally {
    proc.kill("SIGTERM");
    await exited;
  }
}

export async function measureStartup(opts: { runs: number; idleSeconds: number; log?: (line: string) => void }): Promise<StartupResult> {
  const log = opts.log ?? (() => {});
  const result: StartupResult = { command: startCommand(ROOT).script, runs: opts.runs, idleSeconds: opts.idleSeconds, loadAvg: loadavg(), first: [], restart: [] };
  for (let i = 0; i < opts.runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-startup-"));
    try {
      const first = await startOnce(dir, opts.idleSeconds);
      result.first.push(first.sample);
      const again = await startOnce(dir, opts.idleSeconds, first.demoKey);
      result.restart.push(again.sample);
      log(`startup run ${i + 1}/${opts.runs}: first start ${describe(first.sample)}; restart ${describe(again.sample)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

const mib = (bytes: number | null) => (bytes === null ? "–" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const describe = (s: StartSample) => `healthy after ${Math.round(s.healthyMs)} ms (${Math.round(s.cpuMs)} ms CPU), idle RSS ${mib(s.idleRssBytes)}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function row(label: string, samples: StartSample[]): string {
  const ms = samples.map((s) => s.healthyMs);
  const cpu = samples.map((s) => s.cpuMs);
  const rss = samples.flatMap((s) => (s.idleRssBytes === null ? [] : [s.idleRssBytes]));
  const used = samples.flatMap((s) => (s.usedRssBytes === null ? [] : [s.usedRssBytes]));
  const firstUse = samples.flatMap((s) => (s.firstUseMs === null ? [] : [s.firstUseMs]));
  const r = (v: number) => Math.round(v).toLocaleString("en-US");
  return `| ${label} | ${r(median(ms))} | ${r(Math.min(...ms))}–${r(Math.max(...ms))} | ${r(median(cpu))} | ${rss.length ? mib(median(rss)) : "–"} | ${rss.length ? mib(Math.max(...rss)) : "–"} | ${firstUse.length ? r(median(firstUse)) : "–"} | ${used.length ? mib(median(used)) : "–"} |`;
}

/** Markdown lines: a table of both kinds of start and the two targets, judged on the worst run. */
export function formatStartup(r: StartupResult): string[] {
  const all = [...r.first, ...r.restart];
  const worstMs = Math.max(...all.map((s) => s.healthyMs));
  const medianMs = median(all.map((s) => s.healthyMs));
  const worstRss = Math.max(...all.map((s) => s.idleRssBytes ?? Infinity));
  return [
    "### Start-up",
    "",
    `- \`${r.command}\`, spawned directly; ${r.runs} runs of a first start (empty database: migrations, demo seed) and a restart on that database; load average before: ${r.loadAvg.map((l) => l.toFixed(2)).join(", ")}`,
    `- healthy: spawn to the first 200 from /api/health (polled every ${HEALTH_POLL_MS} ms); CPU: the server's user + system time at that moment; idle RSS: ${r.idleSeconds} s later with no traffic; first use: one chat completion, then the sign-in page, after that (what start-up left for later); RSS after use: a second after those`,
    "",
    "| start | healthy, median ms | range ms | CPU, median ms | idle RSS, median | idle RSS, max | first use, ms | RSS after use |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
    row("first (empty database)", r.first),
    row("restart", r.restart),
    "",
    `- target start to healthy ≤ ${STARTUP_TARGETS.healthyMs / 1000} s: measured median ${Math.round(medianMs)} ms, worst ${Math.round(worstMs)} ms — ${worstMs <= STARTUP_TARGETS.healthyMs ? "met" : medianMs <= STARTUP_TARGETS.healthyMs ? "met at the median, not in every run" : "not met"}`,
    `- target RSS idle after start ≤ ${STARTUP_TARGETS.idleRssBytes / 1e6} MB: measured worst ${mib(worstRss)} (${(worstRss / 1e6).toFixed(0)} MB) — ${worstRss <= STARTUP_TARGETS.idleRssBytes ? "met" : "not met"}`,
    "",
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "idle-seconds": { type: "string", default: "5" } } });
  const result = await measureStartup({ runs: Number(values.runs), idleSeconds: Number(values["idle-seconds"]), log: console.log });
  console.log(`\n${formatStartup(result).join("\n")}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`startup: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
