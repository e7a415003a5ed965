/** Step 4 of the pipeline: the rate-limit checks one request must pass, all at once. */
import { GatewayError } from "./errors";
import { retryAfterSeconds, type LimitCheck, type RateLimitHeaders } from "./rate-limit";
import type { AdmitResult } from "./state";
import type { Caller, ModelConfig } from "./types";

/** The caller's limits: the gateway's global cap, the team's and the key's. */
export function callerChecks(caller: Caller, tokens: number, globalRpm: number | null): LimitCheck[] {
  const checks: LimitCheck[] = [];
  const t = caller.team;
  if (globalRpm) checks.push({ key: "global:rpm", kind: "requests", limitPerMinute: globalRpm, cost: 1 });
  if (t.rpmLimit) checks.push({ key: `team:${t.id}:rpm`, kind: "requests", limitPerMinute: t.rpmLimit, cost: 1 });
  if (t.tpmLimit) checks.push({ key: `team:${t.id}:tpm`, kind: "tokens", limitPerMinute: t.tpmLimit, cost: tokens });
  if (caller.keyId && caller.keyRpmLimit) {
    checks.push({ key: `key:${caller.keyId}:rpm`, kind: "requests", limitPerMinute: caller.keyRpmLimit, cost: 1 });
  }
  return checks;
}

/** An upstream model's own limits, checked per target so a refused model falls back to the next. */
export function modelChecks(model: ModelConfig, tokens: number): LimitCheck[] {
  const checks: LimitCheck[] = [];
  if (model.rpmLimit) checks.push({ key: `model:${model.id}:rpm`, kind: "requests", limitPerMinute: model.rpmLimit, cost: 1 });
  if (model.tpmLimit) checks.push({ key: `model:${model.id}:tpm`, kind: "tokens", limitPerMinute: model.tpmLimit, cost: tokens });
  return checks;
}

const SCOPES: Record<string, string> = { global: "the gateway", team: "your team", key: "this API key", model: "this model" };

/** "$5.00", "$0.005", "$0.000132": cents at least, every micro-dollar that is there. */
function usd(micros: number): string {
  const text = (micros / 1e6).toFixed(6).replace(/0{1,4}$/, "");
  return `$${text}`;
}

/** A refused admission as the answer the client gets: 429 with the limit or budget that refused. */
export function refusal(result: Exclude<AdmitResult, { ok: true }>, rateHeaders: RateLimitHeaders = {}): GatewayError {
  if (result.reason === "budget") {
    const resetAt = new Date(result.resetsAt).toISOString();
    const message = `Your team's ${result.period === "day" ? "daily" : "monthly"} budget of ${usd(result.capMicros)} is used up (${usd(result.spentMicros)} spent, ${usd(result.reservedMicros)} reserved by requests in flight). It resets at ${resetAt}.`;
    return new GatewayError(429, message, { type: "insufficient_quota", code: "budget_exceeded", headers: { "retry-after": String(result.retryAfterSeconds), ...(result.headers ?? rateHeaders) } });
  }
  const scope = SCOPES[result.failed.key.split(":")[0]!] ?? "a limit";
  const unit = result.failed.kind === "requests" ? "requests per minute" : "tokens per minute";
  const message = result.tooLarge
    ? `Request too large: it needs ${result.failed.cost} tokens but ${scope} allows ${result.failed.limitPerMinute} ${unit}.`
    : `Rate limit reached for ${scope}: ${result.failed.limitPerMinute} ${unit}. Try again in ${retryAfterSeconds(result.retryAfterMs)} s.`;
  const headers: Record<string, string> = { ...result.headers };
  if (!result.tooLarge) {
    headers["retry-after"] = String(retryAfterSeconds(result.retryAfterMs));
    headers["retry-after-ms"] = String(Math.ceil(result.retryAfterMs));
  }
  return new GatewayError(429, message, { type: result.failed.kind, code: result.tooLarge ? "request_too_large" : "rate_limit_exceeded", headers });
}
