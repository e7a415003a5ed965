/**
 * Calls the upstream for one request: attempts with retries, timeouts and the circuit breaker,
 * then the model's fallbacks. It returns once the response is committed — for a stream, once the
 * first event has arrived — so everything before the first byte to the client can still be retried.
 */
import type { CircuitBreakers } from "./circuit-breaker";
import { isEgressDenied } from "./egress";
import { egressRefused, GatewayError, upstreamError, upstreamTimeout } from "./errors";
import { sendChatCompletion } from "./providers";
import { upstreamBody } from "./providers/openai-compatible";
import type { HeaderLookup, UpstreamResponse } from "./providers/transport";
import { createRedactor, redactValue, type Redactor } from "./redact";
import { isRetryableStatus, nextRetryDelay } from "./retry-policy";
import type { EventReader, EventSourceMessage } from "./sse";
import { AttemptClock, ClientAborted, UpstreamTimeout } from "./timeouts";
import type { Catalog, GatewayDeps, ModelConfig, ProviderConfig } from "./types";
import { relayedError, type RelayedError } from "./upstream-error";

export interface UpstreamTarget {
  model: ModelConfig;
  provider: ProviderConfig;
}

interface Opened {
  target: UpstreamTarget;
  attempts: number;
  fallbackUsed: boolean;
  /** The breaker let this call through as a half-open probe. */
  probe: boolean;
  controller: AbortController;
  response: UpstreamResponse;
  clock: AttemptClock;
  /** Stream only: the reader and the event that committed the response. */
  events?: EventReader;
  first?: EventSourceMessage;
  firstAt?: number;
  /** Non-stream only: the raw body text and its parse. */
  text?: string;
  json?: Record<string, unknown>;
}

export type OpenedUpstream = Opened;

export class UpstreamFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly attempts: number,
    readonly lastTarget: UpstreamTarget | null,
    readonly fallbackUsed: boolean,
    /** True when the failure is the upstream's fault (counts against its breaker and a split's candidate). */
    readonly upstreamFault: boolean,
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

type AttemptResult =
  | { ok: true; opened: Omit<Opened, "attempts" | "fallbackUsed" | "probe"> }
  | { ok: false; error: GatewayError; retryable: boolean; fault: boolean; headers: HeaderLookup | null };

/**
 * Maps an upstream error answer to what the client sees: the upstream's own message for its 4xx.
 * Whatever of the upstream's text is passed on has the provider key redacted.
 */
async function failureFromResponse(res: UpstreamResponse, redact: Redactor): Promise<AttemptResult> {
  let relayed: RelayedError | null = null;
  try {
    relayed = relayedError(JSON.parse(await res.text()), redact);
  } catch {
    // a non-JSON error body is not worth more than its status
    res.discard();
  }
  const message = relayed?.message ?? `upstream answered HTTP ${res.status}`;
  const retryable = isRetryableStatus(res.status);
  if (res.status >= 300 && res.status < 400) {
    // Redirects are not followed (each hop would have to pass the egress policy again): the
    // provider's base URL needs fixing, which is the gateway's configuration, not the client's.
    const location = redactValue(redact, res.headers.get("location"));
    return { ok: false, retryable: false, fault: true, headers: res.headers, error: upstreamError(`The upstream answered with a redirect (HTTP ${res.status}${location ? ` to ${location}` : ""}); set the provider's base URL to where it points.`) };
  }
  if (res.status === 401 || res.status === 403) {
    // The provider refused our credentials: a gateway configuration problem, not the client's.
    return { ok: false, retryable: false, fault: true, headers: res.headers, error: upstreamError(`The upstream provider refused the gateway's credentials (HTTP ${res.status}).`) };
  }
  if (!retryable) {
    return {
      ok: false,
      retryable: false,
      fault: false,
      headers: res.headers,
      error: new GatewayError(res.status, message, relayed?.type ?? "invalid_request_error", relayed?.code ?? null, relayed?.param ?? null),
    };
  }
  // When the gateway gives up on an upstream 429, the client still learns how long to wait.
  const retryAfter = res.headers.get("retry-after");
  const error =
    res.status === 429
      ? new GatewayError(429, `Upstream rate limit: ${message}`, "rate_limit_error", "upstream_rate_limited", null, retryAfter ? { "retry-after": retryAfter } : {})
      : upstreamError(`Upstream error (HTTP ${res.status}): ${message}`);
  return { ok: false, retryable: true, fault: true, headers: res.headers, error };
}

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

/** The message of an error event that opened a stream, redacted; never the event's raw text. */
function firstEventError(data: string, target: UpstreamTarget): string {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return "an error event that is not valid JSON";
  }
  return relayedError(body, createRedactor(target.provider.apiKey))?.message.slice(0, 200) ?? "an error event without a message";
}

async function attempt(
  deps: GatewayDeps,
  target: UpstreamTarget,
  body: Record<string, unknown>,
  stream: boolean,
  clientSignal: AbortSignal,
  deadlineAt: number,
): Promise<AttemptResult> {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new ClientAborted());
  if (clientSignal.aborted) throw new ClientAborted();
  clientSignal.addEventListener("abort", onClientAbort, { once: true });
  const s = target.provider.settings;
  const clock = new AttemptClock(controller, { firstByteMs: s.firstByteTimeoutMs, idleMs: s.idleTimeoutMs, deadlineAt, now: Date.now });
  const done = (r: AttemptResult): AttemptResult => {
    if (!r.ok) {
      clock.clear();
      clientSignal.removeEventListener("abort", onClientAbort);
    }
    return r;
  };
  try {
    const res = await sendChatCompletion(deps, target.provider, target.model, {
      body: upstreamBody(body, target.model, stream),
      stream,
      signal: controller.signal,
    });
    if (controller.signal.aborted) throw controller.signal.reason;
    if (res.status < 200 || res.status > 299) return done(await failureFromResponse(res, createRedactor(target.provider.apiKey)));
    if (!stream) {
      const text = await res.text();
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text);
      } catch {
        return done({ ok: false, retryable: true, fault: true, headers: res.headers, error: upstreamError("The upstream returned a body that is not JSON.") });
      }
      clock.clear();
      clientSignal.removeEventListener("abort", onClientAbort);
      return { ok: true, opened: { target, controller, response: res, clock, text, json } };
    }
    const events = res.events();
    const first = await events.next();
    if (!first || first.data === "[DONE]") {
      events.cancel();
      return done({ ok: false, retryable: true, fault: true, headers: res.headers, error: upstreamError("The upstream stream ended before any data.") });
    }
    if (first.data.startsWith('{"error"')) {
      events.cancel();
      return done({ ok: false, retryable: true, fault: true, headers: res.headers, error: upstreamError(`The upstream stream failed: ${firstEventError(first.data, target)}`) });
    }
    const firstAt = deps.now();
    clock.touch();
    // The listener stays: a client abort mid-stream must still abort the upstream.
    return { ok: true, opened: { target, controller, response: res, clock, events, first, firstAt } };
  } catch (err) {
    // Whatever ends the attempt, its timers and listener must not outlive it.
    clock.clear();
    clientSignal.removeEventListener("abort", onClientAbort);
    const r = failureFromThrown(err, controller.signal, createRedactor(target.provider.apiKey));
    if (!r.ok && r.error.code === "egress_denied") {
      deps.log.warn("egress policy refused a connection", { provider: target.provider.id, reason: err instanceof Error ? err.message : String(err) });
    }
    controller.abort();
    return done(r);
  }
}

export interface UpstreamRequest {
  targets: UpstreamTarget[];
  body: Record<string, unknown>;
  stream: boolean;
  clientSignal: AbortSignal;
  startedAt: number;
  breakers: CircuitBreakers;
  /**
   * Told before each attempt goes out, so a request that ends without an answer (the client went
   * away mid-attempt) is still recorded with its attempts and the upstream it reached.
   */
  onAttempt?: (target: UpstreamTarget, attempts: number, fallbackUsed: boolean) => void;
  /**
   * The target's own rate limits (a provider's quota): null when it may be called, else the 429
   * to answer if no other target can serve. A refused target is skipped for the next one.
   */
  admit?: (target: UpstreamTarget) => GatewayError | null;
}

export async function openUpstream(deps: GatewayDeps, req: UpstreamRequest): Promise<Opened> {
  const primary = req.targets[0];
  if (!primary) throw new UpstreamFailure(upstreamError("No upstream is configured for this model."), 0, null, false, false);
  const deadlineAt = req.startedAt + primary.provider.settings.totalTimeoutMs;
  let attempts = 0;
  // Built only when every target has been passed over: an Error per request costs its stack trace.
  let last: { error: GatewayError | null; fault: boolean; target: UpstreamTarget | null } = { error: null, fault: true, target: null };

  for (let t = 0; t < req.targets.length; t++) {
    const target = req.targets[t]!;
    const s = target.provider.settings;
    // A provider the egress policy forbids is never called; the next target may serve. The
    // caller learns which policy refused, the operator's log which address.
    if (target.provider.egressDenied) {
      deps.log.warn("egress policy refused a provider", { provider: target.provider.id, reason: target.provider.egressDenied });
      last = { error: egressRefused(), fault: true, target };
      continue;
    }
    // Skipped before its rate limits are charged: an open breaker means no call will be made.
    if (req.breakers.isOpen(target.model.id, deps.now())) continue;
    const refused = req.admit?.(target) ?? null;
    if (refused) {
      last = { error: refused, fault: false, target };
      continue;
    }
    for (let n = 1; n <= s.maxAttempts; n++) {
      const gate = req.breakers.acquire(target.model.id, deps.now());
      if (!gate.allowed) break;
      if (deps.now() >= deadlineAt) throw new UpstreamFailure(upstreamTimeout("The request deadline passed before the upstream answered."), attempts, last.target, t > 0, true);
      attempts++;
      req.onAttempt?.(target, attempts, t > 0);
      const r = await attempt(deps, target, req.body, req.stream, req.clientSignal, deadlineAt);
      if (r.ok) {
        // A stream's health is known only at its end; the response stream reports it then.
        if (!req.stream) req.breakers.record(target.model.id, true, deps.now(), gate.probe);
        return { ...r.opened, attempts, fallbackUsed: t > 0, probe: gate.probe };
      }
      // A client error from the upstream is the client's: no retry, no fallback, no breaker penalty.
      if (!r.fault) {
        req.breakers.record(target.model.id, true, deps.now(), gate.probe);
        throw new UpstreamFailure(r.error, attempts, target, t > 0, false);
      }
      req.breakers.record(target.model.id, false, deps.now(), gate.probe);
      last = { error: r.error, fault: true, target };
      if (!r.retryable || n === s.maxAttempts) break;
      const wait = nextRetryDelay({ attempt: n, headers: r.headers, now: deps.now(), random: deps.random });
      // A wait past the deadline, or longer than we agree to sleep, fails over instead.
      if (deps.now() + wait.delayMs >= deadlineAt || wait.delayMs > s.maxRetryAfterMs) break;
      await deps.sleep(wait.delayMs, req.clientSignal);
      if (req.clientSignal.aborted) throw new ClientAborted();
    }
  }
  const error = last.error ?? upstreamError("Every upstream for this model is unavailable (circuit open).");
  throw new UpstreamFailure(error, attempts, last.target, req.targets.length > 1 && last.target !== primary, last.fault);
}
