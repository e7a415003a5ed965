/**
 * Calls the upstream for one request: attempts with retries, timeouts and the circuit breaker,
 * each target's own rate limits, then the model's fallbacks. It returns once the response is
 * committed — for a stream, once the first event has arrived — so everything before the first byte
 * to the client can still be retried. Every breaker result is recorded here: an attempt's as it
 * ends, a stream's when whoever reads it calls `settle`.
 */
import { modelChecks, refusal } from "./admission";
import { isEgressDenied } from "./egress";
import { egressRefused, GatewayError, upstreamError, upstreamTimeout } from "./errors";
import { adapterFor } from "./providers";
import type { HeaderLookup, UpstreamCallInit, UpstreamResponse } from "./providers/transport";
import { wireFor } from "./providers/operations";
import type { Frame, ProviderAdapter, UpstreamWire, StreamDecoder } from "./providers/types";
import type { CallPlan, Operation } from "./endpoints/types";
import type { AdmissionGrant } from "./state";
import { createRedactor, type Redactor } from "./redact";
import { nextRetryDelay } from "./retry-policy";
import type { EventReader } from "./sse";
import { AttemptClock, ClientAborted, UpstreamTimeout } from "./timeouts";
import type { Catalog, GatewayDeps, ModelConfig, ProviderConfig } from "./types";

export interface UpstreamTarget {
  model: ModelConfig;
  provider: ProviderConfig;
}

/** How a stream read through `FrameReader` ended when it did not end with a frame. */
export type StreamEnd = { end: "done" } | { end: "closed" } | { end: "invalid" };

/** The upstream's stream as frames, decoded by its adapter. */
export interface FrameReader {
  /** Next frame or end; rejects with the abort reason (a timeout, the client gone) or a transport failure. */
  next(): Promise<Frame | StreamEnd>;
  /** A frame or end that has already arrived, without waiting; undefined when none is queued. */
  take(): Frame | StreamEnd | undefined;
  /** Stops reading and closes the connection. */
  cancel(): void;
  /** Stops reading after a complete stream, letting the body finish so its connection is reused. */
  release(): void;
}

interface OpenedBase {
  target: UpstreamTarget;
  attempts: number;
  fallbackUsed: boolean;
  /** Aborts the upstream call; its reason says why (ClientAborted, UpstreamTimeout). */
  controller: AbortController;
  clock: AttemptClock;
  /** When the answering upstream's response headers arrived. */
  firstByteAt: number;
}

export interface OpenedStream extends OpenedBase {
  kind: "stream";
  frames: FrameReader;
  /** The frame that committed the response. */
  first: Frame;
  /**
   * Records the stream's health with the breaker once it has ended: true healthy, false the
   * upstream's fault, null neither (the client left, the gateway cut it).
   */
  settle(healthy: boolean | null): void;
}

export interface OpenedPlain extends OpenedBase {
  kind: "plain";
  answer: Frame;
}

export type Opened = OpenedStream | OpenedPlain;

/** Nothing could be committed: the error to answer with, and what was tried. */
export class UpstreamFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly attempts: number,
    readonly lastTarget: UpstreamTarget | null,
    readonly fallbackUsed: boolean,
    /** The client went away before an answer was committed. */
    readonly aborted = false,
  ) {
    super(error.message);
  }
}

/** The candidate list: the model, then its fallbacks in order, each at most once. */
export function targetsFor(model: ModelConfig, catalog: Catalog, extraFallbacks: string[] = []): UpstreamTarget[] {
  const seen = new Set<string>();
  const out: UpstreamTarget[] = [];
  for (const name of [model.name, ...model.fallbacks, ...extraFallbacks]) {
    const m = catalog.models.get(name);
    const p = m && catalog.providers.get(m.providerId);
    if (!m || !p || seen.has(m.name)) continue;
    seen.add(m.name);
    out.push({ model: m, provider: p });
  }
  return out;
}

type Committed = { kind: "stream"; frames: FrameReader; first: Frame } | { kind: "plain"; answer: Frame };

type AttemptResult =
  | { ok: true; committed: Committed; controller: AbortController; clock: AttemptClock; firstByteAt: number }
  | { ok: false; error: GatewayError; retryable: boolean; fault: boolean; headers: HeaderLookup | null };

function failureFromThrown(err: unknown, signal: AbortSignal, redact: Redactor): AttemptResult {
  const reason = signal.aborted ? signal.reason : err;
  if (reason instanceof ClientAborted) throw reason;
  if (reason instanceof UpstreamTimeout) {
    return { ok: false, retryable: reason.kind !== "deadline", fault: true, headers: null, error: upstreamTimeout(`The upstream did not answer in time (${reason.message}).`) };
  }
  // Refused at connect time (the name resolved to a forbidden address): asking again changes nothing.
  if (isEgressDenied(reason)) return { ok: false, retryable: false, fault: true, headers: null, error: egressRefused() };
  return { ok: false, retryable: true, fault: true, headers: null, error: upstreamError(`Could not reach the upstream: ${redact(reason instanceof Error ? reason.message : String(reason))}`) };
}

function frameReader(events: EventReader, decoder: StreamDecoder): FrameReader {
  const decode = (message: Parameters<StreamDecoder["decode"]>[0]): Frame | StreamEnd | undefined => {
    const d = decoder.decode(message);
    if (d === "done") return { end: "done" };
    if (d === "invalid") return { end: "invalid" };
    return d ?? undefined;
  };
  return {
    async next() {
      for (;;) {
        const message = await events.next();
        if (message === null) return { end: "closed" };
        const item = decode(message);
        if (item) return item;
      }
    },
    take() {
      for (;;) {
        const message = events.take();
        if (message === undefined) return undefined;
        const item = decode(message);
        if (item) return item;
      }
    },
    cancel: () => events.cancel(),
    release: () => events.release(),
  };
}

/** The first frame of a stream decides whether it is committed; before that it is retried like any failure. */
async function openStream(res: UpstreamResponse, wire: Pick<UpstreamWire, "decoder">, redact: Redactor): Promise<AttemptResult | Committed> {
  const frames = frameReader(res.events(), wire.decoder(redact));
  const first = await frames.next();
  const fail = (message: string): AttemptResult => {
    frames.cancel();
    return { ok: false, retryable: true, fault: true, headers: res.headers, error: upstreamError(message) };
  };
  if ("end" in first) return fail(first.end === "invalid" ? "The upstream stream began with an event that is not valid JSON." : "The upstream stream ended before any data.");
  const error = first.events.find((e) => e.type === "error");
  if (error?.type === "error") return fail(`The upstream stream failed: ${error.message.slice(0, 200)}`);
  return { kind: "stream", frames, first };
}

async function attempt(deps: GatewayDeps, target: UpstreamTarget, req: Pick<UpstreamRequest, "operation" | "body" | "native">, stream: boolean, clientSignal: AbortSignal, deadlineAt: number): Promise<AttemptResult> {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new ClientAborted());
  if (clientSignal.aborted) throw new ClientAborted();
  clientSignal.addEventListener("abort", onClientAbort, { once: true });
  const s = target.provider.settings;
  const clock = new AttemptClock(controller, { firstByteMs: s.firstByteTimeoutMs, idleMs: s.idleTimeoutMs, deadlineAt, now: deps.now });
  const adapter = adapterFor(target.provider.kind);
  const redact = createRedactor(target.provider.apiKey);
  const stop = () => {
    // Whatever ends the attempt, its timers and listener must not outlive it.
    clock.clear();
    clientSignal.removeEventListener("abort", onClientAbort);
  };
  const failed = (r: AttemptResult): AttemptResult => {
    stop();
    return r;
  };
  try {
    let call: UpstreamCallInit;
    let wire: UpstreamWire;
    try {
      const chosen = wireFor(adapter, target.provider, target.model, req);
      wire = chosen.wire;
      call = wire.call(target.provider, target.model, chosen.body, stream, controller.signal);
    } catch (err) {
      // The adapter refused a request its provider cannot take: the client's error, like an upstream 4xx.
      if (err instanceof GatewayError) return failed({ ok: false, retryable: false, fault: false, headers: null, error: err });
      throw err;
    }
    const res = await adapter.send(deps, target.model, call);
    const firstByteAt = deps.now();
    if (controller.signal.aborted) throw controller.signal.reason;
    if (res.status < 200 || res.status > 299) {
      let text = "";
      try {
        text = await res.text();
      } catch {
        res.discard();
      }
      return failed({ ok: false, headers: res.headers, ...adapter.failure({ status: res.status, headers: res.headers, text }, redact) });
    }
    if (!stream) {
      const answer = wire.parseBody(await res.text());
      if (!answer) return failed({ ok: false, retryable: true, fault: true, headers: res.headers, error: upstreamError("The upstream returned a body the gateway cannot read.") });
      stop();
      return { ok: true, committed: { kind: "plain", answer }, controller, clock, firstByteAt };
    }
    const opened = await openStream(res, wire, redact);
    if ("ok" in opened) return failed(opened);
    clock.touch();
    // The listener stays: a client abort mid-stream must still abort the upstream.
    return { ok: true, committed: opened, controller, clock, firstByteAt };
  } catch (err) {
    // Stopped first: failureFromThrown rethrows a client gone, and that ends the attempt too.
    stop();
    const r = failureFromThrown(err, controller.signal, redact);
    if (!r.ok && r.error.code === "egress_denied") {
      deps.log.warn("egress policy refused a connection", { provider: target.provider.id, reason: err instanceof Error ? err.message : String(err) });
    }
    controller.abort();
    return r;
  }
}

export interface UpstreamRequest {
  targets: UpstreamTarget[];
  /** What the upstream is asked to do; `body` is its request in OpenAI's format. */
  operation: Operation;
  body: Record<string, unknown>;
  /** The request in a provider's native format, for targets that speak it (see CallPlan.native). */
  native?: CallPlan["native"];
  stream: boolean;
  clientSignal: AbortSignal;
  startedAt: number;
  /** Tokens charged to each target's own TPM limit (the request's worst case). */
  tokens: number;
  /** Grants taken from the targets' limits are added here, for the caller to settle with the real usage. */
  grants: AdmissionGrant[];
}

export async function openUpstream(deps: GatewayDeps, req: UpstreamRequest): Promise<Opened> {
  const { breakers, admission } = deps;
  // A breaker's record is not waited for: the answer goes on, and a failure to write it is logged.
  const record = (key: string, ok: boolean, probe: boolean) => {
    const done = breakers.record(key, ok, deps.now(), probe);
    if (done instanceof Promise) done.catch((err: unknown) => deps.log.warn("recording a call in its breaker failed", { model: key, error: String(err) }));
  };
  const primary = req.targets[0];
  if (!primary) throw new UpstreamFailure(upstreamError("No upstream is configured for this model."), 0, null, false);
  const deadlineAt = req.startedAt + primary.provider.settings.totalTimeoutMs;
  let attempts = 0;
  // Built only when every target has been passed over: an Error per request costs its stack trace.
  let last: { error: GatewayError | null; target: UpstreamTarget | null } = { error: null, target: null };

  for (let t = 0; t < req.targets.length; t++) {
    const target = req.targets[t]!;
    const s = target.provider.settings;
    const key = target.model.id;
    // A provider the egress policy forbids is never called; the next target may serve. The
    // caller learns which policy refused, the operator's log which address.
    if (target.provider.egressDenied) {
      deps.log.warn("egress policy refused a provider", { provider: target.provider.id, reason: target.provider.egressDenied });
      last = { error: egressRefused(), target };
      continue;
    }
    // Skipped before its rate limits are charged: an open breaker means no call will be made.
    if (await breakers.isOpen(key, deps.now())) continue;
    const checks = modelChecks(target.model, req.tokens);
    if (checks.length > 0) {
      const admitted = await admission.admit(checks, null, deps.now());
      // A model over its own limits (a provider's quota) is skipped for the next target.
      if (!admitted.ok) {
        last = { error: refusal(admitted), target };
        continue;
      }
      req.grants.push(admitted.grant);
    }
    for (let n = 1; n <= s.maxAttempts; n++) {
      const gate = await breakers.acquire(key, deps.now());
      if (!gate.allowed) break;
      if (deps.now() >= deadlineAt) throw new UpstreamFailure(upstreamTimeout("The request deadline passed before the upstream answered."), attempts, last.target, t > 0);
      attempts++;
      let r: AttemptResult;
      try {
        r = await attempt(deps, target, req, req.stream, req.clientSignal, deadlineAt);
      } catch (err) {
        if (err instanceof ClientAborted) throw new UpstreamFailure(upstreamError("The client closed the connection."), attempts, target, t > 0, true);
        throw err;
      }
      if (r.ok) {
        const base = { target, attempts, fallbackUsed: t > 0, controller: r.controller, clock: r.clock, firstByteAt: r.firstByteAt };
        if (r.committed.kind === "plain") {
          record(key, true, gate.probe);
          return { ...base, kind: "plain", answer: r.committed.answer };
        }
        let settled = false;
        const settle = (healthy: boolean | null) => {
          if (settled) return;
          settled = true;
          if (healthy !== null) record(key, healthy, gate.probe);
        };
        return { ...base, kind: "stream", frames: r.committed.frames, first: r.committed.first, settle };
      }
      // A client error from the upstream is the client's: no retry, no fallback, no breaker penalty.
      if (!r.fault) {
        record(key, true, gate.probe);
        throw new UpstreamFailure(r.error, attempts, target, t > 0);
      }
      record(key, false, gate.probe);
      last = { error: r.error, target };
      if (!r.retryable || n === s.maxAttempts) break;
      const wait = nextRetryDelay({ attempt: n, headers: r.headers, now: deps.now(), random: deps.random });
      // A wait past the deadline, or longer than we agree to sleep, fails over instead.
      if (deps.now() + wait.delayMs >= deadlineAt || wait.delayMs > s.maxRetryAfterMs) break;
      await deps.sleep(wait.delayMs, req.clientSignal);
      if (req.clientSignal.aborted) throw new UpstreamFailure(upstreamError("The client closed the connection."), attempts, target, t > 0, true);
    }
  }
  const error = last.error ?? upstreamError("Every upstream for this model is unavailable (circuit open).");
  throw new UpstreamFailure(error, attempts, last.target, req.targets.length > 1 && last.target !== primary);
}
