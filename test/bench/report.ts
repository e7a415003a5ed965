// Turns benchmark results into a markdown section and keeps RESULTS.md newest-first.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { LoadResult } from "./load";
import type { ManyInstances } from "./many-instances";
import { formatManyInstances, formatManyStreams, formatSaturation, formatUsageWriter } from "./report-sections";
import { formatStartup, type StartupResult } from "./startup";
import { evaluateTargets, formatTarget } from "./targets";
import type { TcpCounters } from "./tcp-counters";
import type { UsageWriterResult } from "./usage-writer-bench";

export interface ScenarioResult {
  label: string;
  load: string;
  stream: boolean;
  result: LoadResult;
}

export interface RunInfo {
  date: Date;
  commit: string;
  node: string;
  nproc: string;
  totalMemBytes: number;
  cpuModel: string;
  loadAvg: number[];
  quick: boolean;
  scenarioSeconds: number;
  warmupSeconds: number;
  profiles: Record<string, { ttftMs: number; tokensPerSecond: number; outputTokens: number }>;
}

export interface Overhead {
  stream: boolean;
  direct: LoadResult;
  gateway: LoadResult;
}

export interface Memory {
  afterStartBytes: number | null;
  peakBytes: number | null;
  endBytes: number | null;
}

export interface ManyStreams {
  streams: number;
  rampSeconds: number;
  model: string;
  profile: { ttftMs: number; tokensPerSecond: number; outputTokens: number; tokensPerChunk?: number };
  paceMs: number;
  /** Null when the direct comparison was not run. */
  direct: LoadResult | null;
  gateway: LoadResult;
  rssBeforeBytes: number | null;
  rssPeakBytes: number | null;
  hwmReset: boolean;
  /** How much the kernel's connect-trouble counters grew during each run. */
  tcp: { direct: TcpCounters | null; gateway: TcpCounters | null };
}

/** Non-streaming saturation: the simulator alone and through the gateway's native door. */
export interface Saturation {
  concurrency: number;
  seconds: number;
  direct: LoadResult;
  gateway: LoadResult;
}

/** A gateway scenario beside the direct run it is compared with (null when it did not run). */
export interface Comparison {
  direct: LoadResult | null;
  gateway: LoadResult | null;
}

export interface Extras {
  /** One per way of sending the tokens (tokens per event). */
  manyStreams: ManyStreams[];
  saturation: Saturation | null;
  usageWriter: UsageWriterResult | null;
  startup: StartupResult | null;
  /** Cache hits against the direct non-streaming run at the same rate. */
  cacheHit: Comparison | null;
  embeddings: Comparison | null;
  /** Postgres + Redis, one and two instances (null when the phase did not run). */
  manyInstances: ManyInstances | null;
}

const HEADER = `# Benchmark results

Written by \`npm run bench\` (\`test/bench/run.ts\`); newest run first. Each run starts the simulator
and the built gateway as their own processes and drives them from a separate load-generator process
over loopback, first straight to the simulator, then through the gateway to the same simulator.
Latencies are in milliseconds over successful requests; at a fixed rate they count from the moment
a request was due, so falling behind the schedule shows up as latency. TTFT is the time to the
first SSE event with non-empty \`delta.content\`; a chunk gap is the time between consecutive content
events. An error is a non-200 answer, a failed connection, or a stream without \`data: [DONE]\`.
All processes share the same machine, so the numbers include their competition for its cores.
`;

const num = (v: number | null, digits = 1) => (v === null ? "–" : v.toFixed(digits));
const mib = (bytes: number | null) => (bytes === null ? "–" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const signed = (a: number | null, b: number | null) => {
  if (a === null || b === null) return "–";
  const d = a - b;
  return `${d >= 0 ? "+" : "−"}${Math.abs(d).toFixed(1)} ms`;
};

function errorsCell(r: LoadResult): string {
  const parts = [String(r.errors)];
  const kinds = Object.entries(r.errorKinds).map(([k, n]) => `${k}: ${n}`);
  if (kinds.length) parts.push(`(${kinds.join(", ")})`);
  if (r.dropped) parts.push(`+ ${r.dropped} not sent (in-flight cap)`);
  return parts.join(" ");
}

function nonStreamTable(rows: ScenarioResult[]): string[] {
  const lines = ["| scenario | load | requests | errors | req/s | p50 | p90 | p99 | max |", "|---|---|--:|---|--:|--:|--:|--:|--:|"];
  for (const { label, load, result: r } of rows) {
    lines.push(`| ${label} | ${load} | ${r.requests} | ${errorsCell(r)} | ${num(r.rps)} | ${num(r.p50)} | ${num(r.p90)} | ${num(r.p99)} | ${num(r.max)} |`);
  }
  return lines;
}

function streamTable(rows: ScenarioResult[]): string[] {
  const lines = [
    "| scenario | load | requests | errors | req/s | p50 | p99 | TTFT p50 | TTFT p99 | chunk gap p50 | chunk gap p99 |",
    "|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const { label, load, result: r } of rows) {
    lines.push(
      `| ${label} | ${load} | ${r.requests} | ${errorsCell(r)} | ${num(r.rps)} | ${num(r.p50)} | ${num(r.p99)} | ${num(r.ttftP50)} | ${num(r.ttftP99)} | ${num(r.chunkGapP50)} | ${num(r.chunkGapP99)} |`,
    );
  }
  return lines;
}

function overheadLines({ stream, direct: d, gateway: g }: Overhead, rate: number): string[] {
  const base = `p50 ${signed(g.p50, d.p50)} (${num(g.p50)} vs ${num(d.p50)}), p99 ${signed(g.p99, d.p99)} (${num(g.p99)} vs ${num(d.p99)})`;
  const line = stream
    ? `- Streaming: ${base}, TTFT p50 ${signed(g.ttftP50, d.ttftP50)} (${num(g.ttftP50)} vs ${num(d.ttftP50)}), TTFT p99 ${signed(g.ttftP99, d.ttftP99)}`
    : `- Non-streaming: ${base}`;
  // Below the offered rate the differences are queueing, not per-request overhead; say so.
  if (g.dropped === 0 && g.errors === 0 && g.rps >= rate * 0.98) return [line];
  return [line, `  - the gateway did not keep up: ${num(g.rps)} of ${rate} req/s served, ${g.errors} errors, ${g.dropped} arrivals not sent, so this includes queueing`];
}

function comparisonLine(what: string, c: Comparison | null): string[] {
  if (!c?.gateway || !c.direct) return [];
  const g = c.gateway;
  const d = c.direct;
  return [`- ${what}: p50 ${signed(g.p50, d.p50)} (${num(g.p50)} vs ${num(d.p50)}), p99 ${signed(g.p99, d.p99)} (${num(g.p99)} vs ${num(d.p99)})${g.errors ? `, ${g.errors} errors` : ""}`];
}

/** The issue's targets as lines "target … : measured … — met / not met". */
export function targetLines(overhead: Overhead[], extras: Extras, rate: number): string[] {
  const nonStream = overhead.find((o) => !o.stream)!;
  const stream = overhead.find((o) => o.stream)!;
  return evaluateTargets({ rate, nonStream, stream, ...extras }).map(formatTarget);
}

export function formatSection(info: RunInfo, results: ScenarioResult[], overhead: Overhead[], memory: Memory, rate: number, extras: Extras): string {
  const when = info.date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const profile = (name: string) => {
    const p = info.profiles[name]!;
    return `\`${name}\` (TTFT ${p.ttftMs} ms, ${p.tokensPerSecond.toLocaleString("en-US")} tokens/s, ${p.outputTokens} output tokens)`;
  };
  const [nonStream, stream] = Object.keys(info.profiles);
  const targets = targetLines(overhead, extras, rate);
  const lines = [
    `## ${when} · ${info.commit}${info.quick ? " · quick run" : ""}`,
    "",
    `- node ${info.node}; ${info.nproc} CPUs (nproc), ${(info.totalMemBytes / 2 ** 30).toFixed(1)} GiB RAM; ${info.cpuModel}`,
    `- load average before the run: ${info.loadAvg.map((l) => l.toFixed(2)).join(", ")}`,
    `- ${info.warmupSeconds} s warm-up through the gateway, then ${info.scenarioSeconds} s per scenario`,
    `- simulator models: ${profile(nonStream!)} for non-streaming, ${profile(stream!)} for streaming`,
    "- through the gateway the whole pipeline is on: key auth, team RPM/TPM, key RPM, per-model RPM/TPM, daily and monthly budget reservation, a route alias splitting 50/50 (sticky per key) with the evaluator running, fallbacks, breaker, usage rows",
    "",
    "### Non-streaming",
    "",
    ...nonStreamTable(results.filter((r) => !r.stream)),
    "",
    "### Streaming",
    "",
    ...streamTable(results.filter((r) => r.stream)),
    "",
    `### Added by the gateway at ${rate} req/s (gateway vs direct, ms)`,
    "",
    ...overhead.flatMap((o) => overheadLines(o, rate)),
    ...comparisonLine("Response-cache hit (answered by the gateway, no upstream call) against the direct non-streaming run", extras.cacheHit),
    ...comparisonLine("Embeddings (one short input)", extras.embeddings),
    "",
    ...(extras.manyInstances ? formatManyInstances(extras.manyInstances, { direct: overhead.find((o) => !o.stream)!.direct, gateway: overhead.find((o) => !o.stream)!.gateway }) : []),
    ...(extras.saturation ? formatSaturation(extras.saturation) : []),
    ...extras.manyStreams.flatMap(formatManyStreams),
    ...(extras.usageWriter ? formatUsageWriter(extras.usageWriter) : []),
    ...(extras.startup ? formatStartup(extras.startup) : []),
    "### Gateway memory",
    "",
    `- RSS after start and setup: ${mib(memory.afterStartBytes)}; at the end: ${mib(memory.endBytes)}; peak (VmHWM): ${mib(memory.peakBytes)}`,
    "",
    `### Targets${info.quick ? " (quick run: shorter and smaller than the targets assume)" : ""}`,
    "",
    ...targets.map((t) => `- ${t}`),
    "",
  ];
  return lines.join("\n");
}

/** Puts `section` above earlier runs, keeping them as they are. */
export function prependSection(file: string, section: string): void {
  const old = existsSync(file) ? readFileSync(file, "utf8") : "";
  // Runs are headed by their date; what comes before the first of them (the header, the analysis) stays on top.
  const firstRun = old.search(/^## \d{4}-/m);
  const runs = firstRun === -1 ? "" : old.slice(firstRun);
  // A preamble someone edited by hand stays as it is.
  const preamble = (firstRun === -1 ? old : old.slice(0, firstRun)).trim() || HEADER.trim();
  writeFileSync(file, `${preamble}\n\n${section}${runs ? "\n" + runs : ""}`);
}
