/** Step 4 of the pipeline: the rate-limit checks one request must pass, all at once. */
import { GatewayError } from "./errors";
import { retryAfterSeconds, type Admission, type LimitCheck } from "./rate-limit";
import type { Limiter } from "./state";
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

export function admit(limiter: Limiter, checks: LimitCheck[], now: number): Extract<Admission, { ok: true }> {
  const result = limiter.admit(checks, now);
  if (result.ok) return result;
  throw refusal(result);
}

export function refusal(result: Extract<Admission, { ok: false }>): GatewayError {
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
