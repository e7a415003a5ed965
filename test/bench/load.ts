/**
 * The benchmark's load generator, run as its own process so its CPU is not the server's.
 * Closed loop (N workers back to back) or open loop (a fixed arrival rate with an in-flight cap)
 * against one chat-completions URL; prints one JSON line of results on stdout.
 *
 *   tsx test/bench/load.ts --url http://127.0.0.1:4010/v1/chat/completions --model m \
 *     [--key sk-…] [--stream [--pace-ms 20]] --duration 15 (--concurrency 64 | --rate 500 [--max-in-flight 256])
 *
 * Many long streams at once: `--rate 500 --duration 4 --max-in-flight 2000` opens 2,000 streams
 * over 4 s; `--max-request-ms` bounds each one, `--pace-ms` (the upstream's interval between
 * tokens) adds how late each chunk arrives against its stream's schedule.
 *
 * Latency runs from the moment a request was due (open loop) or sent (closed loop) to the end of
 * its body, so a server that falls behind the schedule shows it. Only successful requests feed
 * the percentiles; every failure is counted in `errors` and `errorKinds`.
 */
import { Agent, request, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { ms, percentile, Samples } from "./stats";

export interface LoadResult {
  requests: number;
  errors: number;
  /** Open loop only: arrivals skipped because the in-flight cap was reached. */
  dropped: number;
  errorKinds: Record<string, number>;
  durationS: number;
  rps: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  ttftP50: number | null;
  ttftP99: number | null;
  chunkGapP50: number | null;
  chunkGapP99: number | null;
  /**
   * With --pace-ms: how late each content chunk arrived against its stream's own schedule, i.e.
   * arrival − (index × pace) minus the smallest such value in that stream (its earliest chunk
   * counts as on time). Jitter an upstream paced on a fixed schedule does not have, so it is
   * delay added on the way.
   */
  chunkLateP50: number | null;
  chunkLateP99: number | null;
  chunkLateMax: number | null;
  /** Most requests open at the same moment. */
  peakInFlight: number;
  /** TCP connections the client opened (kept alive and reused, so a balancer per connection sees only these). */
  sockets: number;
}

interface Options {
  url: URL;
  key: string | undefined;
  model: string;
  stream: boolean;
  durationS: number;
  concurrency: number;
  rate: number;
  maxInFlight: number;
  timeoutMs: number;
  maxRequestMs: number;
  maxTokens: number;
  paceMs: number | null;
  /** A stream with fewer content events than this is a failure ("short"): cut before its end. */
  minEvents: number;
  /** Sends an embeddings body (`input`) instead of a chat one; --url names the endpoint. */
  embeddings: boolean;
}

// Hard ceilings so no run can grow without bound whatever the arguments say.
const MAX_DURATION_S = 600;
const MAX_REQUESTS = 2_000_000;
const MAX_SAMPLES = 2_000_000;

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      key: { type: "string" },
      model: { type: "string" },
      stream: { type: "boolean", default: false },
      duration: { type: "string", default: "10" },
      concurrency: { type: "string" },
      rate: { type: "string" },
      "max-in-flight": { type: "string", default: "256" },
      "timeout-ms": { type: "string", default: "10000" },
      "max-request-ms": { type: "string", default: "30000" },
      "max-tokens": { type: "string", default: "64" },
      "pace-ms": { type: "string" },
      "min-events": { type: "string", default: "1" },
      embeddings: { type: "boolean", default: false },
    },
  });
  if (!values.url || !values.model) throw new Error("--url and --model are required");
  const num = (name: string, text: string | undefined, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  if ((values.concurrency === undefined) === (values.rate === undefined)) throw new Error("give exactly one of --concurrency or --rate");
  const url = new URL(values.url);
  if (url.protocol !== "http:") throw new Error("--url must be http://");
  return {
    url,
    key: values.key || undefined,
    model: values.model,
    stream: values.stream ?? false,
    durationS: num("duration", values.duration, 0.1, MAX_DURATION_S),
    concurrency: values.concurrency === undefined ? 0 : Math.floor(num("concurrency", values.concurrency, 1, 4096)),
    rate: values.rate === undefined ? 0 : num("rate", values.rate, 0.1, 100_000),
    maxInFlight: Math.floor(num("max-in-flight", values["max-in-flight"], 1, 4096)),
    timeoutMs: num("timeout-ms", values["timeout-ms"], 100, 120_000),
    maxRequestMs: num("max-request-ms", values["max-request-ms"], 100, 300_000),
    maxTokens: Math.floor(num("max-tokens", values["max-tokens"], 1, 100_000)),
    paceMs: values["pace-ms"] === undefined ? null : num("pace-ms", values["pace-ms"], 0.001, 60_000),
    minEvents: Math.floor(num("min-events", values["min-events"], 1, 1_000_000)),
    embeddings: values.embeddings ?? false,
  };
}

/** What one request saw. `ok` false carries a short reason for the error tally. */
type Outcome = { ok: true; endMs: number; ttftMs: number | null; gapsMs: number[]; latesMs: number[] } | { ok: false; reason: string };

function createClient(opts: Options) {
  const sockets = opts.concurrency || opts.maxInFlight;
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: "lifo" });
  const seen = new WeakSet<object>();
  let opened = 0;
  const body = Buffer.from(
    JSON.stringify(
      opts.embeddings
        ? { model: opts.model, input: "Give a short status update for the benchmark." }
        : {
            model: opts.model,
            messages: [{ role: "user", content: "Give a short status update for the benchmark." }],
            max_tokens: opts.maxTokens,
            ...(opts.stream ? { stream: true } : {}),
          },
    ),
  );
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": body.length,
    accept: opts.stream ? "text/event-stream" : "application/json",
  };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const target = { host: opts.url.hostname, port: Number(opts.url.port || 80), path: opts.url.pathname + opts.url.search };

  /** Sends one request; `startMs` is when it was due, the origin of every time it reports. */
  function send(startMs: number): Promise<Outcome> {
    return new Promise((resolve) => {
      let settled = false;
      let expired = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(limit);
        resolve(!outcome.ok && expired ? { ok: false, reason: "max_request_time" } : outcome);
      };
      const req = request({ ...target, method: "POST", agent, headers }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          res.on("end", () => settle({ ok: false, reason: `http_${res.statusCode}` }));
          res.on("close", () => settle({ ok: false, reason: `http_${res.statusCode}` }));
          return;
        }
        res.setEncoding("utf8");
        if (opts.stream) readStream(res, startMs, opts.paceMs, opts.minEvents, settle);
        else readJson(res, settle, opts.embeddings);
      });
      req.once("socket", (socket) => {
        if (seen.has(socket)) return;
        seen.add(socket);
        opened++;
      });
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error("timeout")));
      const limit = setTimeout(() => {
        expired = true;
        req.destroy(new Error("max_request_time"));
      }, opts.maxRequestMs);
      req.on("error", (err: NodeJS.ErrnoException) => settle({ ok: false, reason: err.code ?? err.message }));
      req.end(body);
    });
  }

  return { send, close: () => agent.destroy(), sockets: () => opened };
}

/** A chat answer must carry choices, an embeddings answer its vectors under `data`. */
function readJson(res: IncomingMessage, settle: (o: Outcome) => void, embeddings: boolean): void {
  let text = "";
  res.on("data", (chunk: string) => (text += chunk));
  res.on("end", () => {
    const endMs = performance.now();
    try {
      const parsed = JSON.parse(text) as { choices?: unknown[]; data?: unknown[] };
      const items = embeddings ? parsed.data : parsed.choices;
      if (!Array.isArray(items) || items.length === 0) return settle({ ok: false, reason: embeddings ? "no_data" : "no_choices" });
    } catch {
      return settle({ ok: false, reason: "bad_json" });
    }
    settle({ ok: true, endMs, ttftMs: null, gapsMs: [], latesMs: [] });
  });
  res.on("error", () => settle({ ok: false, reason: "body_error" }));
  res.on("close", () => settle({ ok: false, reason: "body_cut" }));
}

/**
 * Reads server-sent events. Time to first token is the first event with non-empty
 * `delta.content`; gaps are measured between consecutive content events (events that arrive in
 * one network read have a gap of 0). A stream that ends without `data: [DONE]`, carries an
 * error event or has fewer than `minEvents` content events is a failure.
 */
function readStream(res: IncomingMessage, startMs: number, paceMs: number | null, minEvents: number, settle: (o: Outcome) => void): void {
  let buffer = "";
  let done = false;
  let failed: string | null = null;
  let firstContentMs: number | null = null;
  let lastContentMs = 0;
  let contentEvents = 0;
  const gapsMs: number[] = [];
  const arrivalsMs: number[] = [];

  const onEvent = (data: string, at: number) => {
    if (data === "[DONE]") {
      done = true;
      return;
    }
    let event: { error?: unknown; choices?: { delta?: { content?: unknown } }[] };
    try {
      event = JSON.parse(data);
    } catch {
      failed ??= "bad_event";
      return;
    }
    if (event.error) failed ??= "error_event";
    const content = event.choices?.[0]?.delta?.content;
    if (typeof content !== "string" || content.length === 0) return;
    contentEvents++;
    if (firstContentMs === null) firstContentMs = at;
    else gapsMs.push(at - lastContentMs);
    lastContentMs = at;
    if (paceMs !== null) arrivalsMs.push(at);
  };

  res.on("data", (chunk: string) => {
    const at = performance.now();
    buffer += chunk;
    // Each pass consumes one line, so the loop ends with the buffer.
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("data:")) onEvent(line.slice(line[5] === " " ? 6 : 5), at);
    }
  });
  res.on("end", () => {
    const endMs = performance.now();
    if (failed) return settle({ ok: false, reason: failed });
    if (!done) return settle({ ok: false, reason: "no_done" });
    if (firstContentMs === null) return settle({ ok: false, reason: "no_content" });
    if (contentEvents < minEvents) return settle({ ok: false, reason: "short" });
    settle({ ok: true, endMs, ttftMs: firstContentMs - startMs, gapsMs, latesMs: paceMs === null ? [] : lateness(arrivalsMs, paceMs) });
  });
  res.on("error", () => settle({ ok: false, reason: "stream_error" }));
  res.on("close", () => settle({ ok: false, reason: "stream_cut" }));
}

/** Each arrival against the schedule `index × pace`, anchored at the stream's earliest chunk. */
function lateness(arrivalsMs: number[], paceMs: number): number[] {
  let anchor = Number.POSITIVE_INFINITY;
  for (const [i, at] of arrivalsMs.entries()) anchor = Math.min(anchor, at - i * paceMs);
  return arrivalsMs.map((at, i) => at - i * paceMs - anchor);
}

async function run(opts: Options): Promise<LoadResult> {
  const client = createClient(opts);
  const latency = new Samples(MAX_SAMPLES);
  const ttft = new Samples(MAX_SAMPLES);
  const gaps = new Samples(MAX_SAMPLES);
  const lates = new Samples(opts.paceMs === null ? 0 : MAX_SAMPLES);
  const errorKinds: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let dropped = 0;

  const record = (startMs: number, outcome: Outcome) => {
    requests++;
    if (!outcome.ok) {
      errors++;
      errorKinds[outcome.reason] = (errorKinds[outcome.reason] ?? 0) + 1;
      return;
    }
    latency.add(outcome.endMs - startMs);
    if (outcome.ttftMs !== null) ttft.add(outcome.ttftMs);
    for (const gap of outcome.gapsMs) gaps.add(gap);
    for (const late of outcome.latesMs) lates.add(late);
  };

  const windowMs = opts.durationS * 1000;
  const began = performance.now();
  const deadline = began + windowMs;
  const inFlight = new Set<Promise<void>>();
  let peakInFlight = 0;
  const track = (startMs: number) => {
    const p = client.send(startMs).then((outcome) => {
      record(startMs, outcome);
      inFlight.delete(p);
    });
    inFlight.add(p);
    peakInFlight = Math.max(peakInFlight, inFlight.size);
    return p;
  };

  if (opts.concurrency > 0) {
    let sent = 0;
    const worker = async () => {
      while (performance.now() < deadline && sent < MAX_REQUESTS) {
        sent++;
        await track(performance.now());
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } else {
    // Arrival i is due at began + i / rate; each timer tick sends every arrival already due.
    const total = Math.min(MAX_REQUESTS, Math.floor(opts.durationS * opts.rate));
    const intervalMs = 1000 / opts.rate;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        for (; next < total && began + next * intervalMs <= now; next++) {
          if (inFlight.size >= opts.maxInFlight) dropped++;
          else void track(began + next * intervalMs);
        }
        if (next >= total || now > deadline + 1000) return resolve();
        setTimeout(tick, Math.max(0, began + next * intervalMs - performance.now()));
      };
      tick();
    });
    // Every request has its own timeout, so this wait is bounded too.
    await Promise.all(inFlight);
  }
  await Promise.all(inFlight);
  client.close();

  const sortedLatency = latency.sorted();
  const sortedTtft = ttft.sorted();
  const sortedGaps = gaps.sorted();
  const sortedLates = lates.sorted();
  const ok = requests - errors;
  return {
    requests,
    errors,
    dropped,
    errorKinds,
    durationS: Math.round(windowMs) / 1000,
    rps: Math.round((ok / opts.durationS) * 10) / 10,
    p50: ms(percentile(sortedLatency, 50)),
    p90: ms(percentile(sortedLatency, 90)),
    p99: ms(percentile(sortedLatency, 99)),
    max: ms(sortedLatency.length ? sortedLatency[sortedLatency.length - 1]! : null),
    ttftP50: ms(percentile(sortedTtft, 50)),
    ttftP99: ms(percentile(sortedTtft, 99)),
    chunkGapP50: ms(percentile(sortedGaps, 50)),
    chunkGapP99: ms(percentile(sortedGaps, 99)),
    chunkLateP50: ms(percentile(sortedLates, 50)),
    chunkLateP99: ms(percentile(sortedLates, 99)),
    chunkLateMax: ms(sortedLates.length ? sortedLates[sortedLates.length - 1]! : null),
    peakInFlight,
    sockets: client.sockets(),
  };
}

async function main(): Promise<void> {
  const opts = readOptions();
  // Started with an IPC channel by the orchestrator: if it goes away, stop rather than linger.
  if (process.send) process.on("disconnect", () => process.exit(3));
  const hardStop = setTimeout(() => {
    console.error("load generator exceeded its time limit");
    process.exit(2);
  }, opts.durationS * 1000 + Math.max(opts.timeoutMs, opts.maxRequestMs) + 10_000);
  const result = await run(opts);
  clearTimeout(hardStop);
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
