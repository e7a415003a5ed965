// RESULTS.md sections for the many-streams scenario, the Next.js comparison, usage accounting and many instances.
import type { LoadResult } from "./load";
import type { ManyInstances } from "./many-instances";
import type { Comparison, ManyStreams, Saturation } from "./report";
import { formatTarget, sharedStateTarget } from "./targets";
import type { SteadyRun, UsageWriterResult } from "./usage-writer-bench";

// Rounded first, so a tiny negative value does not print as "-0.0".
const num = (v: number | null, digits = 1) => (v === null ? "–" : (Number(v.toFixed(digits)) || 0).toFixed(digits));
const count = (v: number) => Math.round(v).toLocaleString("en-US");
const mib = (bytes: number | null) => (bytes === null ? "–" : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const minus = (v: number | null, by: number) => (v === null ? null : v - by);
const signedMs = (v: number | null) => (v === null ? "–" : `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(1)} ms`);
const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

function errors(r: LoadResult): string {
  const kinds = Object.entries(r.errorKinds).map(([k, n]) => `${k}: ${n}`);
  return kinds.length ? `${r.errors} (${kinds.join(", ")})` : String(r.errors);
}

export function formatManyStreams(m: ManyStreams): string[] {
  const { profile: p, paceMs } = m;
  const perEvent = p.tokensPerChunk ?? 1;
  const rows: Array<[string, LoadResult]> = [];
  if (m.direct) rows.push(["direct → simulator", m.direct]);
  rows.push(["gateway → simulator", m.gateway]);
  const lines = [
    `### ${count(m.streams)} concurrent streams, ${perEvent} token${perEvent === 1 ? "" : "s"} per event`,
    "",
    `- simulator profile \`${m.model}\`: TTFT ${p.ttftMs} ms, ${p.tokensPerSecond} tokens/s, ${perEvent} token${perEvent === 1 ? "" : "s"} per event (one content event every ${paceMs} ms), ${p.outputTokens} tokens, so each stream lasts ~${num((p.ttftMs + (p.outputTokens * 1000) / p.tokensPerSecond) / 1000)} s; the streams are opened over ${m.rampSeconds} s and then all held open together`,
    `- gap − ${paceMs} ms: each content chunk's arrival gap minus the simulator's pacing (chunks that arrive in one read have a gap of 0, i.e. −${paceMs}); lateness: how far each chunk arrived behind its stream's schedule (arrival − index × ${paceMs} ms, measured from the stream's most punctual chunk)`,
    "",
    `| path | streams | open at once | errors | TTFT p50 | TTFT p99 | gap − ${paceMs} p50 | gap − ${paceMs} p99 | lateness p50 | lateness p99 | lateness max | stream p50 | stream p99 |`,
    "|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map(
      ([label, r]) =>
        `| ${label} | ${r.requests} | ${r.peakInFlight} | ${errors(r)} | ${num(r.ttftP50)} | ${num(r.ttftP99)} | ${num(minus(r.chunkGapP50, paceMs))} | ${num(minus(r.chunkGapP99, paceMs))} | ${num(r.chunkLateP50)} | ${num(r.chunkLateP99)} | ${num(r.chunkLateMax)} | ${num(r.p50, 0)} | ${num(r.p99, 0)} |`,
    ),
    "",
  ];
  if (m.direct) {
    lines.push(
      `- per-chunk delay added by the gateway (lateness, gateway − direct): p50 ${signedMs(diff(m.gateway.chunkLateP50, m.direct.chunkLateP50))}, p99 ${signedMs(diff(m.gateway.chunkLateP99, m.direct.chunkLateP99))}`,
    );
  }
  const counted = ([["direct", m.tcp.direct], ["gateway", m.tcp.gateway]] as const).flatMap(([label, c]) =>
    c ? [`${label} run ${c.listenOverflows} listen-queue overflows, ${c.synRetransmits} SYN retransmits`] : [],
  );
  if (counted.length) {
    lines.push(`- kernel TCP counters (whole machine): ${counted.join("; ")}; a connection the server did not accept in time is retried by the client 1 s, 3 s, … later, which shows as TTFT, not as chunk delay`);
  }
  const how = m.hwmReset ? "VmHWM reset before the streams, and VmRSS sampled every 250 ms" : "VmRSS sampled every 250 ms (VmHWM could not be reset)";
  lines.push(`- gateway RSS: ${mib(m.rssBeforeBytes)} before the streams, peak ${mib(m.rssPeakBytes)} while they ran (${how})`, "");
  return lines;
}

export function formatSaturation(s: Saturation): string[] {
  const row = (label: string, r: LoadResult) => `| ${label} | ${r.requests} | ${errors(r)} | ${num(r.rps)} | ${num(r.p50)} | ${num(r.p90)} | ${num(r.p99)} |`;
  const share = s.direct.rps > 0 ? (s.gateway.rps / s.direct.rps) * 100 : null;
  return [
    `### Non-streaming saturation (${s.concurrency} concurrent, ${s.seconds} s each)`,
    "",
    "The same 64-concurrent scenarios as above: the simulator alone, and the whole pipeline (key, limits, budgets, route split, usage row) through the native `/v1` door in front of it. Both share the machine's cores with the load generator.",
    "",
    "| server | requests | errors | req/s | p50 | p90 | p99 |",
    "|---|--:|---|--:|--:|--:|--:|",
    row("direct → simulator", s.direct),
    row("gateway → simulator", s.gateway),
    "",
    `- the gateway serves ${share === null ? "–" : `${share.toFixed(0)} %`} of what the simulator alone serves (${num(s.gateway.rps)} vs ${num(s.direct.rps)} req/s), p50 ${signedMs(diff(s.gateway.p50, s.direct.p50))}`,
    "",
  ];
}

function steady(run: SteadyRun): string {
  return `event-loop delay p50 ${num(run.lagP50Ms)} ms, p99 ${num(run.lagP99Ms)} ms, max ${num(run.lagMaxMs)} ms`;
}

export function formatUsageWriter(u: UsageWriterResult): string[] {
  return [
    "### Usage accounting",
    "",
    `\`test/bench/usage-writer-bench.ts\`: usage rows through the real writer (\`createUsageWriter\` → \`insertUsageBatch\`) into a fresh database made by the migrations, in its own process.`,
    "",
    `- as fast as they can be pushed: ${count(u.rows)} rows${u.stoppedEarly ? " (stopped at the run's time limit)" : ""}, ${count(u.insertRowsPerS)} rows/s inside the inserts (${count(u.wallRowsPerS)} rows/s counting the pushes); ${u.flushes} flushes of up to ${count(u.batchRows)} rows, each holding the event loop for p50 ${num(u.flushP50Ms)} ms, p99 ${num(u.flushP99Ms)} ms, max ${num(u.flushMaxMs)} ms`,
    `- steady ${count(u.steady.rowsPerS)} rows/s for ${u.steady.seconds} s (flush window ${u.flushMs} ms, ${u.steady.flushes} flushes, flush p99 ${num(u.steady.flushP99Ms)} ms): ${steady(u.steady)}; the same loop with an insert that does nothing: ${steady(u.baseline)}`,
    "",
  ];
}

/** Issue 16: the SQLite row beside Postgres + Redis, one and two instances, at the same fixed rate. */
export function formatManyInstances(m: ManyInstances, sqlite: Comparison): string[] {
  const cells = (c: { direct: LoadResult | null; gateway: LoadResult | null; failure?: string }) => {
    const g = c.gateway;
    if (!g) return `failed: ${c.failure ?? "no data"} | – | – | –`;
    return `${signedMs(diff(g.p50, c.direct?.p50 ?? null))} | ${signedMs(diff(g.p99, c.direct?.p99 ?? null))} | ${num(g.rps)} | ${errors(g)}${g.dropped ? ` + ${g.dropped} not sent` : ""}`;
  };
  const sockets = [sqlite.gateway, ...m.rows.map((r) => r.gateway)].flatMap((g) => (g ? [g.sockets] : []));
  const spread = m.rows.flatMap((r) =>
    r.backends && r.backends.length > 1
      ? [`- ${r.label}: ${r.backends.map((b) => `${b.target} got ${b.connections} connections and ~${count(b.requests)} requests`).join(", ")}`]
      : [],
  );
  return [
    `### Many instances: Postgres + Redis at ${m.rate} req/s, non-streaming`,
    "",
    "The whole pipeline (key auth, team and key limits, per-model limits, daily and monthly budgets, the 50/50 route split, usage rows) on `DATABASE_URL` (a throwaway Postgres) and `REDIS_URL` (a throwaway redis-server): team RPM/TPM, key RPM and the budget hold go through the Redis admission script on every request. Added latency is against a direct run at the same rate taken right before the Postgres rows (the SQLite row keeps its own). Two instances share the database and Redis behind `test/bench/round-robin-proxy.ts`, which gives each new connection to the next instance in turn; the row through the proxy to one instance shows the proxy's own cost.",
    "",
    "| setup | added p50 | added p99 | req/s | errors |",
    "|---|--:|--:|--:|---|",
    `| SQLite, one instance | ${cells(sqlite)} |`,
    ...m.rows.map((r) => `| ${r.label} | ${cells(r)} |`),
    "",
    `- the load generator keeps its connections alive and reuses the most recently freed one; it opened ${sockets.length ? sockets.join(", ") : "–"} connections in these runs (in row order), so a per-connection balancer spreads only those`,
    ...spread,
    `- ${formatTarget(sharedStateTarget(sqlite, m))}`,
    "",
  ];
}
