/**
 * `npm run bench`: throughput and latency of the gateway against the simulator it fronts.
 * Starts the simulator and the built gateway as child processes on loopback, configures the
 * gateway through its admin API, runs each scenario in a fresh load-generator process, and puts
 * the numbers on top of test/bench/RESULTS.md.
 *
 *   npm run bench                  full run (~2.5 min), written to RESULTS.md
 *   npm run bench -- --quick       ~40 s smoke run, printed only (add --write to keep it)
 *   npm run bench -- --build       rebuild .next first (it is built anyway when missing)
 *   npm run bench -- --no-write    full run without touching RESULTS.md
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LoadResult } from "./load";
import { readRss, runToEnd, startChild, type Child } from "./processes";
import { formatSection, prependSection, type Memory, type Overhead, type RunInfo, type ScenarioResult } from "./report";
import { checkTarget, configureGateway, routeAlias, type BenchTarget } from "./setup";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS_FILE = join(ROOT, "test/bench/RESULTS.md");

// Non-streaming: no think time and a short fixed answer, so latency is mostly overhead.
// Streaming: paced like a fast real model (32 tokens at 200/s after 20 ms, ~180 ms per request).
const PROFILES = {
  "bench-fast": { ttftMs: 0, tokensPerSecond: 1_000_000, outputTokens: 16 },
  "bench-stream": { ttftMs: 20, tokensPerSecond: 200, outputTokens: 32 },
};
const NON_STREAM_MODEL = "bench-fast";
const STREAM_MODEL = "bench-stream";

const CONCURRENCY = 64;
const RATE = 500;
const MAX_IN_FLIGHT = 256;
const RSS_SAMPLE_MS = 250;

interface Scenario {
  label: string;
  target: "direct" | "gateway";
  stream: boolean;
  load: { concurrency: number } | { rate: number };
}

const SCENARIOS: Scenario[] = [
  { label: "direct → simulator", target: "direct", stream: false, load: { concurrency: CONCURRENCY } },
  { label: "gateway → simulator", target: "gateway", stream: false, load: { concurrency: CONCURRENCY } },
  { label: "direct → simulator", target: "direct", stream: false, load: { rate: RATE } },
  { label: "gateway → simulator", target: "gateway", stream: false, load: { rate: RATE } },
  { label: "direct → simulator", target: "direct", stream: true, load: { rate: RATE } },
  { label: "gateway → simulator", target: "gateway", stream: true, load: { rate: RATE } },
  { label: "direct → simulator", target: "direct", stream: true, load: { concurrency: CONCURRENCY } },
  { label: "gateway → simulator", target: "gateway", stream: true, load: { concurrency: CONCURRENCY } },
];

const describeLoad = (load: Scenario["load"]) => ("rate" in load ? `${load.rate} req/s` : `${load.concurrency} concurrent`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Newest modification time of the sources the production build is made from. */
function newestSourceMtime(): number {
  let newest = 0;
  for (const dir of ["app", "lib", "db"]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function ensureBuild(force: boolean): void {
  const buildId = ".next/BUILD_ID";
  if (!force && existsSync(buildId)) {
    if (newestSourceMtime() > statSync(buildId).mtimeMs) {
      console.log("bench: note: sources changed after the last `next build`; pass --build to benchmark the current tree");
    }
    return;
  }
  console.log(force ? "bench: rebuilding (next build)…" : "bench: no production build, running `next build` once…");
  const r = spawnSync("npx", ["next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    timeout: 15 * 60_000,
  });
  if (r.status !== 0) throw new Error(`next build failed (${r.status ?? r.signal ?? r.error?.message})`);
}

function runInfo(quick: boolean, scenarioSeconds: number, warmupSeconds: number): RunInfo {
  const text = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  const hash = text("git", ["rev-parse", "--short", "HEAD"]) || "unknown commit";
  const dirty = text("git", ["--no-optional-locks", "status", "--porcelain", "--untracked-files=no"]) !== "";
  return {
    date: new Date(),
    commit: dirty ? `${hash} (with uncommitted changes)` : hash,
    node: process.version,
    nproc: text("nproc", []) || String(cpus().length),
    totalMemBytes: totalmem(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
    loadAvg: loadavg(),
    quick,
    scenarioSeconds,
    warmupSeconds,
    profiles: PROFILES,
  };
}

async function runLoad(target: BenchTarget, stream: boolean, load: Scenario["load"], seconds: number): Promise<LoadResult> {
  const args = [
    "--url", `${target.base}/v1/chat/completions`,
    "--model", (target.modelFor ?? ((m: string) => m))(stream ? STREAM_MODEL : NON_STREAM_MODEL),
    "--duration", String(seconds),
    ...("rate" in load ? ["--rate", String(load.rate), "--max-in-flight", String(MAX_IN_FLIGHT)] : ["--concurrency", String(load.concurrency)]),
    ...(target.key ? ["--key", target.key] : []),
    ...(stream ? ["--stream"] : []),
  ];
  // The generator stops itself after duration + request timeout; this is the backstop.
  const out = await runToEnd("test/bench/load.ts", args, (seconds + 40) * 1000);
  const line = out.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as LoadResult;
}

function summary(r: LoadResult): string {
  const base = `${r.requests} req, ${r.errors} err, ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
  return r.ttftP50 === null ? base : `${base}, TTFT p50 ${r.ttftP50} ms`;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      build: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      "no-write": { type: "boolean", default: false },
    },
  });
  const quick = flags.quick ?? false;
  const write = quick ? flags.write === true : flags["no-write"] !== true;
  const scenarioSeconds = quick ? 3 : 15;
  const warmupSeconds = quick ? 2 : 5;
  process.chdir(ROOT);
  ensureBuild(flags.build ?? false);
  const info = runInfo(quick, scenarioSeconds, warmupSeconds);

  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  let simulator: Child | undefined;
  let gateway: Child | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const results: ScenarioResult[] = [];
  const memory: Memory = { afterStartBytes: null, peakBytes: null, endBytes: null };
  try {
    const sim = await startChild({
      name: "simulator",
      script: "lib/simulator/server.ts",
      env: { ...process.env, SIM_PORT: "0", SIM_HOST: "127.0.0.1", SIM_CONFIG: JSON.stringify(PROFILES) },
      ready: /Simulator listening on (http:\/\/\S+)/,
      timeoutMs: 30_000,
    });
    simulator = sim.child;
    const simUrl = sim.match[1]!;

    const adminToken = randomBytes(16).toString("hex");
    const port = await freePort();
    const gw = await startChild({
      name: "gateway",
      script: "lib/server/main.ts",
      env: {
        ...process.env,
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        DATABASE_PATH: join(dir, "bench.db"),
        SWITCHYARD_ADMIN_TOKEN: adminToken,
        SWITCHYARD_SECRET: randomBytes(16).toString("hex"),
        SWITCHYARD_DEMO: "0",
        SWITCHYARD_LOG_LEVEL: "warn",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
      },
      ready: /Switchyard listening on (http:\/\/\S+)/,
      timeoutMs: 120_000,
    });
    gateway = gw.child;
    const gatewayUrl = `http://127.0.0.1:${port}`;
    console.log(`bench: simulator ${simUrl} (pid ${simulator.pid}), gateway ${gatewayUrl} (pid ${gateway.pid})`);

    const key = await configureGateway({ gateway: gatewayUrl, adminToken, simulator: simUrl, models: Object.keys(PROFILES) });
    const targets: Record<Scenario["target"], BenchTarget> = { direct: { base: simUrl }, gateway: { base: gatewayUrl, key, modelFor: routeAlias } };
    for (const [label, target] of Object.entries(targets)) {
      await checkTarget(target, label, NON_STREAM_MODEL, false);
      await checkTarget(target, label, STREAM_MODEL, true);
    }
    memory.afterStartBytes = readRss(gateway.pid)?.rss ?? null;
    let peakSample = 0;
    sampler = setInterval(() => (peakSample = Math.max(peakSample, readRss(gw.child.pid)?.rss ?? 0)), RSS_SAMPLE_MS);

    console.log(`bench: warm-up ${warmupSeconds} s through the gateway`);
    const warmNonStream = Math.max(1, Math.floor(warmupSeconds * 0.6));
    await runLoad(targets.gateway, false, { concurrency: 16 }, warmNonStream);
    await runLoad(targets.gateway, true, { concurrency: 16 }, Math.max(1, warmupSeconds - warmNonStream));

    for (const [i, s] of SCENARIOS.entries()) {
      const name = `${s.label}, ${s.stream ? "streaming" : "non-streaming"}, ${describeLoad(s.load)}`;
      process.stdout.write(`bench: [${i + 1}/${SCENARIOS.length}] ${name}, ${scenarioSeconds} s … `);
      const result = await runLoad(targets[s.target], s.stream, s.load, scenarioSeconds);
      console.log(summary(result));
      results.push({ label: s.label, load: describeLoad(s.load), stream: s.stream, result });
      if (gateway.proc.exitCode !== null) throw new Error(`gateway exited during the run:\n${gateway.output().slice(-4000)}`);
    }

    const final = readRss(gateway.pid);
    memory.endBytes = final?.rss ?? null;
    memory.peakBytes = Math.max(final?.hwm ?? 0, peakSample) || null;
  } finally {
    clearInterval(sampler);
    await gateway?.stop();
    await simulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const pick = (target: Scenario["target"], stream: boolean) =>
    results.find((r, i) => SCENARIOS[i]!.target === target && r.stream === stream && "rate" in SCENARIOS[i]!.load)!.result;
  const overhead: Overhead[] = [false, true].map((stream) => ({ stream, direct: pick("direct", stream), gateway: pick("gateway", stream) }));
  const section = formatSection(info, results, overhead, memory, RATE);
  console.log(`\n${section}`);
  if (write) {
    prependSection(RESULTS_FILE, section);
    console.log(`bench: written to ${RESULTS_FILE}`);
  } else {
    console.log(`bench: ${RESULTS_FILE} not changed (${quick ? "quick runs are printed only; pass --write to keep one" : "--no-write"})`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
