/**
 * An upstream that flaps between healthy and failing (500s, hangs past the first-byte timeout,
 * dropped connections) every two seconds, under steady load: every request ends inside its deadline
 * as a 200 (often from the fallback) or a clean OpenAI-shaped 5xx, the breaker opens and closes with
 * the flaps, and the gateway's memory comes back to where it was once the load stops.
 *
 * The load lasts FLAP_SECONDS (default 20 so CI stays fast); run with FLAP_SECONDS=60 for the
 * minute-long soak. Memory is read from /proc after a full collection in the server (a preloaded
 * signal handler, gc-on-signal.cjs): without it, V8's lazy collection alone leaves RSS some 200 MB
 * above the baseline for minutes and the check would say nothing about leaks.
 */
import type { ServerResponse } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { chunk, completion, openSse, provision, sendJson, startUpstream, type Received, type TestUpstream } from "../../helpers/upstream";
import { eventsOf, parseSse } from "../resilience/helpers";
import { chatRequest, rssMiB, runLoops, sleep } from "./helpers";

const FLAP_SECONDS = Number(process.env.FLAP_SECONDS) || 20;
const PHASE_MS = 2000;
const TOTAL_TIMEOUT_MS = 2000;
// The deadline runs from when the request reaches the gateway, so it is checked there: the latency
// its usage row records, with room for timers firing late on a loaded box (full collections run
// every second), plus the worst stall this test's own event loop saw meanwhile: when other work
// takes the cores, the server's timers fire that late too, and the deadline is not at fault. The client's own clock adds the time a request waits to be read and its answer
// waits to be taken in, seconds on two busy cores, so it only catches an answer that outlives its
// row by far (a stream never closed), short of the 10 s abort.
const SERVER_SLACK_MS = 1000;
const CLIENT_SLACK_MS = 5000;
const CONCURRENCY = 8;
const settings = { firstByteTimeoutMs: 300, idleTimeoutMs: 1000, totalTimeoutMs: TOTAL_TIMEOUT_MS, maxAttempts: 2 };

let server: TestServer;
let flappy: TestUpstream;
let healthy: TestUpstream;
let steady: Awaited<ReturnType<typeof provision>>;
let withFallback: Awaited<ReturnType<typeof provision>>;
let solo: Awaited<ReturnType<typeof provision>>;
let flapStart = 0;
let failureMode = 0;
const hung = new Set<ServerResponse>();

/** A well-behaved answer in whichever shape the gateway asked for. */
function answer(req: Received, res: ServerResponse, model: string) {
  if (!req.body?.stream) return sendJson(res, 200, completion(model, "fine", { prompt_tokens: 4, completion_tokens: 2 }));
  const send = openSse(res);
  send(chunk(model, { role: "assistant", content: "fi" }));
  send(chunk(model, { content: "ne" }, "stop"));
  send({ ...chunk(model, {}), choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } });
  send("[DONE]");
  res.end();
}

/** Failing first, so the breaker's window holds only flapping traffic when the first phase starts. */
function flapping(req: Received, res: ServerResponse) {
  const failing = flapStart > 0 && Math.floor((Date.now() - flapStart) / PHASE_MS) % 2 === 0;
  if (!failing) return answer(req, res, "flappy");
  switch (failureMode++ % 3) {
    case 0:
      return sendJson(res, 500, { error: { message: "flapping", type: "server_error" } });
    case 1: {
      // Hangs past the first-byte timeout; the gateway gives up and closes. Bounded regardless.
      hung.add(res);
      const timer = setTimeout(() => res.destroy(), 5000);
      res.on("close", () => {
        clearTimeout(timer);
        hung.delete(res);
      });
      return;
    }
    default:
      res.destroy();
  }
}

beforeAll(async () => {
  flappy = await startUpstream(flapping);
  healthy = await startUpstream((req, res) => answer(req, res, "steady"));
  server = await startServer({
    env: {
      SWITCHYARD_BREAKER_OPEN_MS: "1000",
      SWITCHYARD_BREAKER_MIN_REQUESTS: "5",
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc --require ${fileURLToPath(new URL("./gc-on-signal.cjs", import.meta.url))}`.trim(),
    },
  });
  steady = await provision(server.admin, { baseUrl: healthy.baseUrl, providerSettings: settings });
  withFallback = await provision(server.admin, { baseUrl: flappy.baseUrl, providerSettings: settings, model: { fallbacks: [steady.model.name] } });
  solo = await provision(server.admin, { baseUrl: flappy.baseUrl, providerSettings: settings });
});

afterAll(async () => {
  for (const res of hung) res.destroy();
  await server?.stop();
  await flappy?.close();
  await healthy?.close();
});

interface Outcome {
  model: "fallback" | "solo";
  stream: boolean;
  status: number;
  ms: number;
  requestId: string | null;
  problem: string | null;
}

/** One request; `problem` says what was wrong with its answer, null when it was clean. */
async function one(i: number, warmUp = false): Promise<Outcome> {
  // Warm-up keeps off the model under watch, so its breaker starts with an empty window.
  const target = warmUp ? (i % 2 ? solo : steady) : i % 4 === 3 ? solo : withFallback;
  const stream = i % 3 === 0;
  const started = Date.now();
  let status = 0;
  let requestId: string | null = null;
  let problem: string | null = null;
  try {
    const res = await chatRequest(server.url, target.key, { model: target.model.name, stream }, AbortSignal.timeout(10_000));
    status = res.status;
    requestId = res.headers.get("x-request-id");
    const text = await res.text();
    if (status === 200 && stream) {
      const events = parseSse(text);
      if (events.at(-1) !== "[DONE]" || events.some((e) => e.startsWith('{"error"'))) problem = `stream did not end cleanly: ${text.slice(-200)}`;
    } else if (status === 200) {
      if (!JSON.parse(text).choices?.[0]?.message) problem = `200 without a message: ${text.slice(0, 200)}`;
    } else if (status >= 500 && status <= 504) {
      const body = JSON.parse(text);
      if (typeof body?.error?.message !== "string" || typeof body?.error?.type !== "string") problem = `error not in OpenAI shape: ${text.slice(0, 200)}`;
    } else {
      problem = `unexpected status ${status}: ${text.slice(0, 200)}`;
    }
  } catch (err) {
    problem = `request failed: ${(err as Error).message}`;
  }
  return { model: target === solo ? "solo" : "fallback", stream, status, ms: Date.now() - started, requestId, problem };
}

async function drive(ms: number, outcomes: Outcome[], warmUp = false) {
  let n = 0;
  await runLoops(CONCURRENCY, ms, 100_000, async () => {
    outcomes.push(await one(n++, warmUp));
    await sleep(10);
  });
}

/**
 * The server's RSS once idle: a full collection first (through the preloaded signal handler), then
 * the lowest of a few /proc readings. Also returns the live heap the collection reported.
 */
async function settledRss(samples: number): Promise<{ rss: number; heap: string }> {
  const seen = (server.output().match(/gc-done/g) ?? []).length;
  server.proc.kill("SIGUSR2");
  for (let i = 0; i < 100 && (server.output().match(/gc-done/g) ?? []).length === seen; i++) await sleep(50);
  const heap = /gc-done .*heapUsed=(\S+)/.exec(server.output().split("\n").filter((l) => l.includes("gc-done")).at(-1) ?? "")?.[1] ?? "?";
  let rss = Infinity;
  for (let i = 0; i < samples; i++) {
    await sleep(500);
    rss = Math.min(rss, rssMiB(server.proc.pid!));
  }
  return { rss, heap };
}

type Row = { attempts: number; served_model: string | null; fallback_used: number; status: string; http_status: number; error_type: string | null; latency_ms: number };

/** The usage rows of these requests, once all are written (or after 5 s, with those that are). */
async function rowsOf(ids: string[]): Promise<Map<string, Row>> {
  const query = server.db().prepare("select attempts, served_model, fallback_used, status, http_status, error_type, latency_ms from usage where request_id = ?");
  const rows = new Map<string, Row>();
  const until = Date.now() + 5000;
  for (;;) {
    for (const id of ids) {
      if (rows.has(id)) continue;
      const row = query.get(id) as Row | undefined;
      if (row) rows.set(id, row);
    }
    if (rows.size === new Set(ids).size || Date.now() > until) return rows;
    await sleep(50);
  }
}

describe("a flapping upstream under load", () => {
  it(`stays inside deadlines, trips and closes the breaker, and gives memory back (${FLAP_SECONDS} s)`, { timeout: FLAP_SECONDS * 1000 + 60_000 }, async () => {
    // Warm-up before the flapping starts: code paths compiled, caches filled, pools open.
    const warm: Outcome[] = [];
    await drive(3000, warm, true);
    expect(warm.filter((o) => o.problem || o.status !== 200)).toEqual([]);
    await sleep(1000);
    const baseline = await settledRss(4);

    flapStart = Date.now();
    const outcomes: Outcome[] = [];
    // Full collections during the load: an abort that only reaches the upstream call while some
    // object happens to survive would show up here as a request stuck past its deadline.
    const collections = setInterval(() => server.proc.kill("SIGUSR2"), 1000);
    const stalls = monitorEventLoopDelay({ resolution: 20 });
    stalls.enable();
    try {
      await drive(FLAP_SECONDS * 1000, outcomes);
    } finally {
      clearInterval(collections);
      stalls.disable();
    }
    const machineStallMs = Math.round(stalls.max / 1e6);
    flapStart = 0;

    const worst = Math.max(...outcomes.map((o) => o.ms));
    const byStatus = outcomes.reduce<Record<string, number>>((acc, o) => ((acc[`${o.model}:${o.status}`] = (acc[`${o.model}:${o.status}`] ?? 0) + 1), acc), {});
    const opens = await eventsOf(server, "breaker.open");
    const closes = await eventsOf(server, "breaker.closed");
    const rows = await rowsOf(outcomes.flatMap((o) => (o.requestId ? [o.requestId] : [])));
    const worstServer = Math.max(...[...rows.values()].map((r) => r.latency_ms));

    // Hung upstream calls end by the first-byte timeout; give the last ones time to be let go.
    await sleep(2000);
    const after = await settledRss(4);
    console.info(
      `[flapping] ${outcomes.length} requests over ${FLAP_SECONDS} s, slowest ${worstServer} ms in the gateway (${worst} ms at the client), by status ${JSON.stringify(byStatus)}; ` +
        `breaker open ${opens.length}x, closed ${closes.length}x; RSS baseline ${baseline.rss.toFixed(1)} MiB (heap ${baseline.heap}), ` +
        `after ${after.rss.toFixed(1)} MiB (heap ${after.heap}); worst stall of the test's own event loop ${machineStallMs} ms`,
    );

    expect(outcomes.filter((o) => o.problem)).toEqual([]);
    // A late request is shown with its usage row: attempts, who served it, how it ended.
    const late = outcomes
      .map((o) => ({ ...o, row: o.requestId ? rows.get(o.requestId) : undefined }))
      .filter((o) => !o.row || o.row.latency_ms > TOTAL_TIMEOUT_MS + SERVER_SLACK_MS + machineStallMs || o.ms > TOTAL_TIMEOUT_MS + CLIENT_SLACK_MS);
    expect(late).toEqual([]);
    // The fallback is there to be used: a failed request on that model is the exception.
    expect(outcomes.filter((o) => o.model === "fallback" && o.status === 200).length).toBeGreaterThan(outcomes.filter((o) => o.model === "fallback").length * 0.95);
    expect(outcomes.some((o) => o.model === "solo" && o.status >= 500)).toBe(true);
    expect(opens.some((e) => e.subjectId === withFallback.model.id)).toBe(true);
    expect(closes.some((e) => e.subjectId === withFallback.model.id)).toBe(true);
    expect(after.rss - baseline.rss).toBeLessThan(50);

    // And once the upstream is healthy again, so is the gateway.
    await sleep(1200);
    const res = await chatRequest(server.url, withFallback.key, { model: withFallback.model.name });
    expect(res.status).toBe(200);
  });
});
