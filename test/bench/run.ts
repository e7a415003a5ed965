/**
 * `npm run bench`: throughput and latency of the gateway against the simulator it fronts.
 * Measures usage accounting on its own first (usage-writer-bench.ts), then starts the simulator
 * and the built gateway as child processes on loopback, configures the gateway through its admin
 * API, runs each scenario in a fresh load-generator process (many concurrent long streams first,
 * then the latency scenarios, a response-cache hit and embeddings, last the gateway on Postgres +
 * Redis as one and as two instances: many-instances.ts), and puts the numbers and the targets on
 * top of test/bench/RESULTS.md.
 *
 *   npm run bench                  full run (~6 min), written to RESULTS.md
 *   npm run bench -- --quick       ~70 s smoke run, printed only (add --write to keep it)
 *   npm run bench -- --build       rebuild .next first (it is built anyway when missing)
 *   npm run bench -- --no-write    full run without touching RESULTS.md
 *   npm run bench -- --startup     only the start-up scenario (startup.ts), printed (add --write to keep it)
 *   npm run bench -- --shared-only the SQLite row at 500 req/s and the many-instances phase (Postgres +
 *                                  Redis, one and two instances), ~2 min, printed (add --write to keep it)
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBuild } from "./build";
import type { LoadResult } from "./load";
import { freePort, openFilesLimit, readRss, runToEnd, startChild, watchPeakRss, type Child } from "./processes";
import { startCommand } from "../helpers/start-command";
import { formatStartup, measureStartup, type StartupResult } from "./startup";
import {
  formatSection,
  prependSection,
  type ManyStreams,
  type Memory,
  type Overhead,
  type RunInfo,
  type Saturation,
  type ScenarioResult,
} from "./report";
import { runManyInstances, type ManyInstances } from "./many-instances";
import { formatManyInstances } from "./report-sections";
import { checkEmbeddings, checkTarget, configureGateway, EMBED_MODEL, routeAlias, type BenchTarget } from "./setup";
import { countTcpDuring, type TcpCounters } from "./tcp-counters";
import type { UsageWriterResult } from "./usage-writer-bench";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS_FILE = join(ROOT, "test/bench/RESULTS.md");

const NON_STREAM_MODEL = "bench-fast";
const STREAM_MODEL = "bench-stream";

// Many streams at once: paced like a real chat model (50 tokens/s), long enough that all of them
// are open together once the ramp is over (20 s streams opened over 10 s). Two ways of sending the
// same tokens: five per event (a provider that sends a few tokens per event) and one per event
// (OpenAI's habit). The quick run is a tenth of it, 5 s long.
const MANY = {
  full: { streams: 2000, rampSeconds: 10, outputTokens: 1000 },
  quick: { streams: 200, rampSeconds: 1, outputTokens: 250 },
};
const MANY_PACING = { ttftMs: 100, tokensPerSecond: 50 };
// Five per event first: after the one-per-event run, which overloads this machine, the gateway
// would start from that run's leftover heap.
const MANY_VARIANTS = [
  { model: "bench-many-5", tokensPerChunk: 5 },
  { model: "bench-many", tokensPerChunk: 1 },
] as const;
const paceMs = (tokensPerChunk: number) => (1000 * tokensPerChunk) / MANY_PACING.tokensPerSecond;

// Non-streaming: no think time and a short fixed answer, so latency is mostly overhead.
// Streaming: paced like a fast real model (32 tokens at 200/s after 20 ms, ~180 ms per request).
type SimProfile = { ttftMs: number; tokensPerSecond: number; outputTokens: number; tokensPerChunk?: number };
const profilesFor = (quick: boolean): Record<string, SimProfile> => ({
  [NON_STREAM_MODEL]: { ttftMs: 0, tokensPerSecond: 1_000_000, outputTokens: 16 },
  [STREAM_MODEL]: { ttftMs: 20, tokensPerSecond: 200, outputTokens: 32 },
  ...Object.fromEntries(MANY_VARIANTS.map((v) => [v.model, { ...MANY_PACING, tokensPerChunk: v.tokensPerChunk, outputTokens: MANY[quick ? "quick" : "full"].outputTokens }])),
});

const CONCURRENCY = 64;
const RATE = 500;
const MAX_IN_FLIGHT = 256;
const RSS_SAMPLE_MS = 250;
const USAGE_ROWS = { full: 200_000, quick: 20_000 };
const USAGE_STEADY = { rowsPerS: 5000, seconds: { full: 2, quick: 1.5 } };

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

/** Run after the scenarios above, non-streaming at the same fixed rate. */
const EXTRA_SCENARIOS = [
  { id: "cache", label: "gateway, response-cache hit (no upstream call)", target: "cached", model: NON_STREAM_MODEL, embeddings: false, load: { rate: RATE } },
  { id: "embed-direct", label: "direct → simulator, embeddings", target: "direct", model: EMBED_MODEL, embeddings: true, load: { rate: RATE } },
  { id: "embed-gateway", label: "gateway → simulator, embeddings", target: "gateway", model: EMBED_MODEL, embeddings: true, load: { rate: RATE } },
] as const;

function extraResult(results: ScenarioResult[], id: (typeof EXTRA_SCENARIOS)[number]["id"]): LoadResult | null {
  const i = EXTRA_SCENARIOS.findIndex((e) => e.id === id);
  return results[SCENARIOS.length + i]?.result ?? null;
}

const describeLoad = (load: Scenario["load"]) => ("rate" in load ? `${load.rate} req/s` : `${load.concurrency} concurrent`);


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
    profiles: profilesFor(quick),
  };
}

const lastLine = (out: string) => out.trim().split("\n").at(-1) ?? "";

/** Runs the load generator once; `extra` are further load.ts flags, `maxRequestMs` bounds each request. */
async function runLoad(
  target: BenchTarget,
  opts: { model: string; stream: boolean; load: Scenario["load"]; seconds: number; maxInFlight?: number; maxRequestMs?: number; extra?: string[]; embeddings?: boolean },
): Promise<LoadResult> {
  const maxRequestMs = opts.maxRequestMs ?? 30_000;
  const args = [
    "--url", `${target.base}/v1/${opts.embeddings ? "embeddings" : "chat/completions"}`,
    "--model", opts.embeddings ? opts.model : (target.modelFor ?? ((m: string) => m))(opts.model),
    ...(opts.embeddings ? ["--embeddings"] : []),
    "--duration", String(opts.seconds),
    "--max-request-ms", String(maxRequestMs),
    ...("rate" in opts.load
      ? ["--rate", String(opts.load.rate), "--max-in-flight", String(opts.maxInFlight ?? MAX_IN_FLIGHT)]
      : ["--concurrency", String(opts.load.concurrency)]),
    ...(target.key ? ["--key", target.key] : []),
    ...(opts.stream ? ["--stream"] : []),
    ...(opts.extra ?? []),
  ];
  // The generator stops itself after duration + the longest a request may take + 10 s; this is the backstop.
  const out = await runToEnd("test/bench/load.ts", args, opts.seconds * 1000 + maxRequestMs + 30_000);
  return JSON.parse(lastLine(out)) as LoadResult;
}

const scenarioModel = (stream: boolean) => (stream ? STREAM_MODEL : NON_STREAM_MODEL);

/** Opens `streams` long streams over the ramp and holds them until the simulator ends each one. */
function runManyStreams(target: BenchTarget, quick: boolean, variant: (typeof MANY_VARIANTS)[number]): Promise<LoadResult> {
  const { streams, rampSeconds, outputTokens } = MANY[quick ? "quick" : "full"];
  const pace = paceMs(variant.tokensPerChunk);
  const streamMs = MANY_PACING.ttftMs + (outputTokens / variant.tokensPerChunk) * pace;
  return runLoad(target, {
    model: variant.model,
    stream: true,
    load: { rate: streams / rampSeconds },
    seconds: rampSeconds,
    maxInFlight: streams,
    // Twice its paced length before a stream counts as failed: slow, not lost.
    maxRequestMs: 2 * streamMs + 10_000,
    extra: [
      ...["--pace-ms", String(pace), "--max-tokens", String(outputTokens), "--timeout-ms", "15000"],
      // Every event of the stream must arrive: one ended early (at a token ceiling, say) is not comparable.
      ...["--min-events", String(Math.ceil(outputTokens / variant.tokensPerChunk))],
    ],
  });
}

async function runUsageWriter(quick: boolean): Promise<UsageWriterResult> {
  const mode = quick ? "quick" : "full";
  const args = ["--rows", String(USAGE_ROWS[mode]), "--rate", String(USAGE_STEADY.rowsPerS), "--seconds", String(USAGE_STEADY.seconds[mode])];
  const out = await runToEnd("test/bench/usage-writer-bench.ts", args, 200_000);
  return JSON.parse(lastLine(out)) as UsageWriterResult;
}

function summary(r: LoadResult): string {
  const base = `${r.requests} req, ${r.errors} err, ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
  return r.ttftP50 === null ? base : `${base}, TTFT p50 ${r.ttftP50} ms`;
}

/** What `npm start` runs (its node flags, entry and variables), so the benchmark runs the server as users do. */
const start = startCommand(ROOT);

const GATEWAY_ENV = {
  ...start.env,
  SWITCHYARD_DEMO: "0",
  SWITCHYARD_LOG_LEVEL: "warn",
  NEXT_TELEMETRY_DISABLED: "1",
};
const STARTUP = { full: { runs: 3, idleSeconds: 5 }, quick: { runs: 1, idleSeconds: 3 }, alone: { runs: 5, idleSeconds: 5 } };

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      build: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      "no-write": { type: "boolean", default: false },
      startup: { type: "boolean", default: false },
      "shared-only": { type: "boolean", default: false },
    },
  });
  const quick = flags.quick ?? false;
  const write = quick ? flags.write === true : flags["no-write"] !== true;
  const scenarioSeconds = quick ? 3 : 15;
  const warmupSeconds = quick ? 2 : 5;
  const began = performance.now();
  process.chdir(ROOT);
  ensureBuild(flags.build ?? false);
  const info = runInfo(quick, scenarioSeconds, warmupSeconds);
  if (flags.startup) return startupOnly(info, flags.write === true);
  if (flags["shared-only"]) return sharedOnly(info, flags.write === true);

  // Also before anything else of ours runs: start-up time is CPU-bound.
  const startup = await measureStartup({ ...STARTUP[quick ? "quick" : "full"], log: (line) => console.log(`bench: ${line}`) });

  // First, while nothing else of ours runs: it needs no server.
  process.stdout.write(`bench: usage accounting, ${USAGE_ROWS[quick ? "quick" : "full"].toLocaleString("en-US")} rows through the writer … `);
  const usageWriter = await runUsageWriter(quick);
  console.log(`${usageWriter.insertRowsPerS} rows/s, flush p99 ${usageWriter.flushP99Ms} ms, event-loop delay p99 ${usageWriter.steady.lagP99Ms} ms at ${USAGE_STEADY.rowsPerS} rows/s`);

  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  let simulator: Child | undefined;
  let gateway: Child | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const results: ScenarioResult[] = [];
  const memory: Memory = { afterStartBytes: null, peakBytes: null, endBytes: null };
  const manyStreams: ManyStreams[] = [];
  let saturation: Saturation | null = null;
  let manyInstances: ManyInstances | null = null;
  try {
    const profiles = profilesFor(quick);
    const sim = await startSimulator(profiles);
    simulator = sim.child;
    const simUrl = sim.url;
    const gw = await startSqliteGateway(dir);
    gateway = gw.child;
    const { url: gatewayUrl, adminToken } = gw;
    console.log(`bench: simulator ${simUrl} (pid ${simulator.pid}), gateway ${gatewayUrl} (pid ${gateway.pid})`);
    const many = MANY[quick ? "quick" : "full"];
    // The gateway holds a socket per stream on each side, plus its own files.
    const filesNeeded = 2 * many.streams + 512;
    for (const child of [simulator, gateway]) {
      const limit = openFilesLimit(child.pid);
      if (limit !== null && limit < filesNeeded) console.log(`bench: warning: the ${child.name} may open only ${limit} files, ${many.streams} streams need ~${filesNeeded}`);
    }

    const keys = await configureGateway({ gateway: gatewayUrl, adminToken, simulator: simUrl, models: Object.keys(profiles) });
    const targets: Record<Scenario["target"], BenchTarget> = { direct: { base: simUrl }, gateway: { base: gatewayUrl, key: keys.key, modelFor: routeAlias } };
    const cached: BenchTarget = { ...targets.gateway, key: keys.cacheKey };
    for (const [label, target] of Object.entries(targets)) {
      await checkTarget(target, label, NON_STREAM_MODEL, false);
      await checkTarget(target, label, STREAM_MODEL, true);
      for (const v of MANY_VARIANTS) await checkTarget(target, label, v.model, true);
      await checkEmbeddings(target, label);
    }
    await checkTarget(cached, "gateway with the response cache", NON_STREAM_MODEL, false);
    memory.afterStartBytes = readRss(gateway.pid)?.rss ?? null;
    let peakSample = 0;
    sampler = setInterval(() => (peakSample = Math.max(peakSample, readRss(gw.child.pid)?.rss ?? 0)), RSS_SAMPLE_MS);

    console.log(`bench: warm-up ${warmupSeconds} s through the gateway`);
    const warmNonStream = Math.max(1, Math.floor(warmupSeconds * 0.6));
    await runLoad(targets.gateway, { model: NON_STREAM_MODEL, stream: false, load: { concurrency: 16 }, seconds: warmNonStream });
    await runLoad(targets.gateway, { model: STREAM_MODEL, stream: true, load: { concurrency: 16 }, seconds: Math.max(1, warmupSeconds - warmNonStream) });

    // Before the latency scenarios, so the gateway's memory is the streams' and not left over from overload.
    for (const variant of MANY_VARIANTS) {
      const pace = paceMs(variant.tokensPerChunk);
      const manyName = `${many.streams} concurrent streams of ~${Math.round((MANY_PACING.ttftMs + many.outputTokens * paceMs(1)) / 1000)} s, ${variant.tokensPerChunk} token${variant.tokensPerChunk === 1 ? "" : "s"} per event`;
      process.stdout.write(`bench: ${manyName}, direct → simulator … `);
      const { result: manyDirect, tcp: tcpDirect } = await countTcpDuring(() => runManyStreams(targets.direct, quick, variant));
      console.log(manySummary(manyDirect, tcpDirect));
      process.stdout.write(`bench: ${manyName}, gateway → simulator … `);
      // The run-wide peak must survive the high-water mark being reset for this scenario.
      peakSample = Math.max(peakSample, readRss(gateway.pid)?.hwm ?? 0);
      const rssBeforeBytes = readRss(gateway.pid)?.rss ?? null;
      const watch = watchPeakRss(gateway.pid, RSS_SAMPLE_MS);
      const { result: manyGateway, tcp: tcpGateway } = await countTcpDuring(() => runManyStreams(targets.gateway, quick, variant)).finally(() => watch.stop());
      const { peakBytes: rssPeakBytes, hwmReset } = watch.stop();
      console.log(`${manySummary(manyGateway, tcpGateway)}, gateway RSS peak ${rssPeakBytes === null ? "–" : Math.round(rssPeakBytes / 2 ** 20)} MiB`);
      manyStreams.push({
        streams: many.streams,
        rampSeconds: many.rampSeconds,
        model: variant.model,
        profile: profiles[variant.model]!,
        paceMs: pace,
        direct: manyDirect,
        gateway: manyGateway,
        rssBeforeBytes,
        rssPeakBytes,
        hwmReset,
        tcp: { direct: tcpDirect, gateway: tcpGateway },
      });
      assertAlive(gateway);
    }

    for (const [i, s] of SCENARIOS.entries()) {
      const name = `${s.label}, ${s.stream ? "streaming" : "non-streaming"}, ${describeLoad(s.load)}`;
      process.stdout.write(`bench: [${i + 1}/${SCENARIOS.length}] ${name}, ${scenarioSeconds} s … `);
      const result = await runLoad(targets[s.target], { model: scenarioModel(s.stream), stream: s.stream, load: s.load, seconds: scenarioSeconds });
      console.log(summary(result));
      results.push({ label: s.label, load: describeLoad(s.load), stream: s.stream, result });
      assertAlive(gateway);
    }

    const final = readRss(gateway.pid);
    memory.endBytes = final?.rss ?? null;
    memory.peakBytes = Math.max(final?.hwm ?? 0, peakSample) || null;
    clearInterval(sampler);

    // After the memory figures: cache entries and embeddings are not what the streams held.
    for (const extra of EXTRA_SCENARIOS) {
      const target = extra.target === "cached" ? cached : targets[extra.target];
      const name = `${extra.label}, ${describeLoad(extra.load)}`;
      process.stdout.write(`bench: ${name}, ${scenarioSeconds} s … `);
      // A short warm-up fills the cache (both variants of the route) and warms the embeddings path.
      await runLoad(target, { model: extra.model, stream: false, load: { concurrency: 4 }, seconds: 1, embeddings: extra.embeddings });
      const result = await runLoad(target, { model: extra.model, stream: false, load: extra.load, seconds: scenarioSeconds, embeddings: extra.embeddings });
      console.log(summary(result));
      results.push({ label: extra.label, load: describeLoad(extra.load), stream: false, result });
      assertAlive(gateway);
    }
    saturation = { concurrency: CONCURRENCY, seconds: scenarioSeconds, direct: pickResult(results, "direct", false, "concurrency"), gateway: pickResult(results, "gateway", false, "concurrency") };

    // Last, so nothing above changes: the SQLite gateway is stopped first, the simulator stays.
    await gateway.stop();
    manyInstances = await runManyInstances(manyInstancesOptions(simUrl, profiles, scenarioSeconds, warmupSeconds), RATE);
  } finally {
    clearInterval(sampler);
    await gateway?.stop();
    await simulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const overhead: Overhead[] = [false, true].map((stream) => ({ stream, direct: pickResult(results, "direct", stream, "rate"), gateway: pickResult(results, "gateway", stream, "rate") }));
  const cacheHit = { direct: pickResult(results, "direct", false, "rate"), gateway: extraResult(results, "cache") };
  const embeddings = { direct: extraResult(results, "embed-direct"), gateway: extraResult(results, "embed-gateway") };
  const extras = { manyStreams, saturation, usageWriter, startup, cacheHit, embeddings, manyInstances };
  const section = formatSection(info, results, overhead, memory, RATE, extras);
  console.log(`\n${section}`);
  console.log(`bench: finished in ${Math.round((performance.now() - began) / 1000)} s`);
  if (write) {
    prependSection(RESULTS_FILE, section);
    console.log(`bench: written to ${RESULTS_FILE}`);
  } else {
    console.log(`bench: ${RESULTS_FILE} not changed (${quick ? "quick runs are printed only; pass --write to keep one" : "--no-write"})`);
  }
}

async function startSimulator(profiles: Record<string, SimProfile>): Promise<{ child: Child; url: string }> {
  const sim = await startChild({
    name: "simulator",
    script: "lib/simulator/server.ts",
    env: { ...process.env, SIM_PORT: "0", SIM_HOST: "127.0.0.1", SIM_CONFIG: JSON.stringify(profiles) },
    ready: /Simulator listening on (http:\/\/\S+)/,
    timeoutMs: 30_000,
  });
  return { child: sim.child, url: sim.match[1]! };
}

/** The gateway on SQLite in `dir`, as users start it. */
async function startSqliteGateway(dir: string): Promise<{ child: Child; url: string; adminToken: string }> {
  const adminToken = randomBytes(16).toString("hex");
  const shared = { DATABASE_PATH: join(dir, "bench.db"), SWITCHYARD_SECRET: randomBytes(16).toString("hex"), HOSTNAME: "127.0.0.1", ...GATEWAY_ENV };
  const port = await freePort();
  const gw = await startChild({
    name: "gateway",
    script: start.entry,
    nodeArgs: start.nodeFlags,
    env: { ...process.env, ...shared, PORT: String(port), SWITCHYARD_ADMIN_TOKEN: adminToken },
    ready: /Switchyard listening on (http:\/\/\S+)/,
    timeoutMs: 120_000,
  });
  return { child: gw.child, url: `http://127.0.0.1:${port}`, adminToken };
}

/** The many-instances phase runs the same non-streaming scenario at RATE, after a short warm-up of each gateway. */
function manyInstancesOptions(simUrl: string, profiles: Record<string, SimProfile>, seconds: number, warmupSeconds: number) {
  return {
    simulator: simUrl,
    models: Object.keys(profiles),
    entry: start.entry,
    nodeFlags: start.nodeFlags,
    env: GATEWAY_ENV,
    model: NON_STREAM_MODEL,
    load: (target: BenchTarget, warm: boolean) =>
      warm
        ? runLoad(target, { model: NON_STREAM_MODEL, stream: false, load: { concurrency: 16 }, seconds: Math.max(1, Math.floor(warmupSeconds * 0.6)) })
        : runLoad(target, { model: NON_STREAM_MODEL, stream: false, load: { rate: RATE }, seconds }),
    log: (line: string) => console.log(`bench: ${line}`),
  };
}

/** `--shared-only`: the SQLite row at RATE (with its direct run) and the many-instances phase, printed, kept with `--write`. */
async function sharedOnly(info: RunInfo, write: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const profiles = profilesFor(info.quick);
  const children: Child[] = [];
  let sqlite: { direct: LoadResult; gateway: LoadResult };
  let many: ManyInstances;
  const nonStream = (target: BenchTarget, load: Scenario["load"], seconds: number) => runLoad(target, { model: NON_STREAM_MODEL, stream: false, load, seconds });
  try {
    const sim = await startSimulator(profiles);
    children.push(sim.child);
    const gw = await startSqliteGateway(dir);
    children.push(gw.child);
    const keys = await configureGateway({ gateway: gw.url, adminToken: gw.adminToken, simulator: sim.url, models: Object.keys(profiles) });
    const target: BenchTarget = { base: gw.url, key: keys.key, modelFor: routeAlias };
    await checkTarget(target, "gateway", NON_STREAM_MODEL, false);
    console.log(`bench: SQLite gateway, warm-up ${info.warmupSeconds} s, then ${RATE} req/s direct and through it, ${info.scenarioSeconds} s each`);
    await nonStream(target, { concurrency: 16 }, info.warmupSeconds);
    const direct = await nonStream({ base: sim.url }, { rate: RATE }, info.scenarioSeconds);
    console.log(`bench: direct → simulator: ${summary(direct)}`);
    const gateway = await nonStream(target, { rate: RATE }, info.scenarioSeconds);
    console.log(`bench: SQLite, one instance: ${summary(gateway)}, ${gateway.sockets} client connections`);
    sqlite = { direct, gateway };
    await gw.child.stop();
    many = await runManyInstances(manyInstancesOptions(sim.url, profiles, info.scenarioSeconds, info.warmupSeconds), RATE);
  } finally {
    for (const child of children.reverse()) await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const when = info.date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const section = [
    `## ${when} · ${info.commit} · many instances only${info.quick ? " · quick run" : ""}`,
    "",
    `- node ${info.node}; ${info.nproc} CPUs (nproc); ${info.cpuModel}`,
    `- load average before the run: ${info.loadAvg.map((l) => l.toFixed(2)).join(", ")}`,
    `- ${info.scenarioSeconds} s per scenario; each gateway warmed up first`,
    "",
    ...formatManyInstances(many, sqlite),
  ].join("\n");
  console.log(`\n${section}`);
  if (write) {
    prependSection(RESULTS_FILE, section);
    console.log(`bench: written to ${RESULTS_FILE}`);
  }
}

/** `--startup`: the start-up scenario alone, printed, and kept on top of RESULTS.md with `--write`. */
async function startupOnly(info: RunInfo, write: boolean): Promise<void> {
  const result: StartupResult = await measureStartup({ ...STARTUP.alone, log: (line) => console.log(`bench: ${line}`) });
  const when = info.date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const section = [`## ${when} · ${info.commit} · start-up only`, "", `- node ${info.node}; ${info.nproc} CPUs (nproc); ${info.cpuModel}`, "", ...formatStartup(result)].join("\n");
  console.log(`\n${section}`);
  if (write) {
    prependSection(RESULTS_FILE, section);
    console.log(`bench: written to ${RESULTS_FILE}`);
  }
}

function assertAlive(child: Child): void {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`${child.name} exited during the run:\n${child.output().slice(-4000)}`);
}

function pickResult(results: ScenarioResult[], target: Scenario["target"], stream: boolean, kind: "rate" | "concurrency"): LoadResult {
  const i = SCENARIOS.findIndex((s) => s.target === target && s.stream === stream && kind in s.load);
  return results[i]!.result;
}

function manySummary(r: LoadResult, tcp: TcpCounters | null): string {
  const connects = tcp ? `, ${tcp.listenOverflows} listen-queue overflows` : "";
  return `${r.requests} streams, ${r.errors} err, ${r.peakInFlight} open at once, TTFT p50 ${r.ttftP50} ms, chunk gap p50/p99 ${r.chunkGapP50}/${r.chunkGapP99} ms, lateness p50/p99 ${r.chunkLateP50}/${r.chunkLateP99} ms${connects}`;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
