/**
 * One request of any endpoint through the whole pipeline: authenticate, validate, resolve, admit,
 * reserve budget, call upstream, stream back, account. Every path ends in exactly one usage row.
 */
import { admit, callerChecks } from "./admission";
import { authenticateApiKey } from "./auth";
import { costMicros } from "./cost";
import { GatewayError, toErrorAnswer } from "./errors";
import { SSE_HEADERS, type GatewayRequest, type GatewayResponse } from "./exchange";
import type { GatewayCore } from "./gateway";
import type { Endpoint } from "./endpoints/types";
import { countOutput } from "./output-meter";
import { createRelay } from "./relay";
import { RequestLedger } from "./request-ledger";
import { resolveModel } from "./resolve";
import { openUpstream, targetsFor, UpstreamFailure } from "./upstream";
import type { Caller, UsageRecord, UsageStatus } from "./types";

export interface DoorContext {
  /** Set by the browser door, which authenticates with a session instead of an API key. */
  caller?: Caller;
  /** The chat conversation, the first choice of sticky key for route splits. */
  conversationId?: string;
  /** Told the request's usage row once it is final (the chat shows cost and model per reply). */
  onUsage?: (row: UsageRecord) => void;
}

/** "$5.00", "$0.005", "$0.000132": cents at least, every micro-dollar that is there. */
function usd(micros: number): string {
  const text = (micros / 1e6).toFixed(6).replace(/0{1,4}$/, "");
  return `$${text}`;
}

function statusOf(err: GatewayError): UsageStatus {
  if (err.code === "budget_exceeded") return "budget_exceeded";
  if (err.status === 429 && err.code !== "upstream_rate_limited") return "rate_limited";
  return err.status >= 500 || err.code === "upstream_rate_limited" ? "error" : "rejected";
}

const CLIENT_GONE: GatewayResponse = { status: 499, headers: {}, body: "" };

export async function handleRequest(gw: GatewayCore, endpoint: Endpoint, req: GatewayRequest, door: DoorContext = {}): Promise<GatewayResponse> {
  const { deps } = gw;
  const startedAt = deps.now();
  const requestId = deps.requestId();
  const ledger = new RequestLedger(gw, requestId, startedAt, door.onUsage);
  ledger.row.endpoint = endpoint.name;
  let rateHeaders: Record<string, string> = {};

  try {
    const caller = door.caller ?? authenticateApiKey(req, deps.store);
    Object.assign(ledger.row, { teamId: caller.team.id, keyId: caller.keyId, userId: caller.userId });

    const parsed = endpoint.parse(await req.json(gw.options.maxBodyBytes));
    const { stream } = parsed;
    Object.assign(ledger.row, { requestedModel: parsed.model, stream });

    const catalog = deps.store.catalog();
    const resolution = resolveModel(parsed.model, catalog, { conversationId: door.conversationId ?? null, user: parsed.user, keyId: caller.keyId }, deps.random, caller.team.allowedModels);
    Object.assign(ledger.row, { routeId: resolution.routeId, variant: resolution.variant, stickyKey: resolution.stickyKey });
    const targets = targetsFor(resolution.model, catalog, resolution.extraFallbacks);

    // Worst case up front: the prompt's upper bound plus the most output the call may produce.
    const budgeted = caller.team.dailyBudgetMicros !== null || caller.team.monthlyBudgetMicros !== null;
    const plan = parsed.plan(resolution.model, budgeted);
    const { promptEstimate, ceiling } = plan;
    const tokens = promptEstimate + ceiling.total;

    const admission = admit(deps.limiter, callerChecks(caller, tokens, gw.options.globalRpm), deps.now());
    ledger.grants.push(admission.grant);
    rateHeaders = admission.headers;

    const worstCase = Math.max(...targets.map((t) => costMicros(t.model, promptEstimate, ceiling.total)), 0);
    const reserved = deps.budgets.reserve(caller.team, worstCase, deps.now());
    if (!reserved.ok) {
      const resetAt = new Date(reserved.resetsAt).toISOString();
      throw new GatewayError(
        429,
        `Your team's ${reserved.period === "day" ? "daily" : "monthly"} budget of ${usd(reserved.capMicros)} is used up (${usd(reserved.spentMicros)} spent, ${usd(reserved.reservedMicros)} reserved by requests in flight). It resets at ${resetAt}.`,
        "insufficient_quota",
        "budget_exceeded",
        null,
        { "retry-after": String(reserved.retryAfterSeconds), ...rateHeaders },
      );
    }
    ledger.reservation = reserved.reservation;

    const opened = await openUpstream(deps, { targets, operation: plan.operation, body: plan.body, native: plan.native, stream, clientSignal: req.signal, startedAt, tokens, grants: ledger.grants });
    ledger.served(opened.target, opened.attempts, opened.fallbackUsed);
    const headers: Record<string, string> = { "x-request-id": requestId, "x-switchyard-model": opened.target.model.name, ...rateHeaders };
    if (resolution.variant) headers["x-switchyard-variant"] = resolution.variant;
    const prices = opened.target.model;
    const meta = { requestId, model: opened.target.model.name };

    if (opened.kind === "plain") {
      const usage = opened.answer.events.find((e) => e.type === "usage");
      const prompt = usage?.type === "usage" ? usage.promptTokens : promptEstimate;
      const completion = usage?.type === "usage" ? usage.completionTokens : countOutput(opened.answer.events);
      ledger.finish("ok", 200, null, { prompt, completion, prices });
      return { status: 200, headers: { "content-type": "application/json", ...headers }, body: parsed.plainBody(opened.answer, deps.now, meta) };
    }

    const relay = createRelay(opened, parsed.streamEncoder(deps.now, meta), {
      now: deps.now,
      outputLimit: ceiling.enforced ? ceiling.total : null,
      budgeted,
      onEnd: (outcome) => {
        if (outcome.firstTokenAt !== null) ledger.row.ttftMs = Math.round(outcome.firstTokenAt - startedAt);
        const prompt = outcome.usage?.promptTokens ?? promptEstimate;
        const completion = outcome.usage?.completionTokens ?? outcome.countCompletion();
        const httpStatus = outcome.status === "ok" ? 200 : outcome.status === "aborted" ? 499 : 502;
        ledger.finish(outcome.status, httpStatus, outcome.errorType, { prompt, completion, prices });
      },
    });
    return { status: 200, headers: { ...SSE_HEADERS, ...headers }, stream: relay };
  } catch (err) {
    if (err instanceof UpstreamFailure) {
      ledger.served(err.lastTarget, err.attempts, err.fallbackUsed);
      if (err.aborted) {
        ledger.finish("aborted", 499, "client_closed");
        return CLIENT_GONE;
      }
      ledger.finish(statusOf(err.error), err.error.status, err.error.code ?? err.error.type);
      return toErrorAnswer(err.error, deps.log, { "x-request-id": requestId, ...rateHeaders });
    }
    // The client went away while its body was still being read.
    if (req.signal.aborted && !(err instanceof GatewayError)) {
      ledger.finish("aborted", 499, "client_closed");
      return CLIENT_GONE;
    }
    if (err instanceof GatewayError) {
      ledger.finish(statusOf(err), err.status, err.code ?? err.type);
      return toErrorAnswer(err, deps.log, { "x-request-id": requestId, ...(err.status === 429 ? {} : rateHeaders) });
    }
    ledger.finish("error", 500, "internal_error");
    return toErrorAnswer(err, deps.log, { "x-request-id": requestId });
  }
}
