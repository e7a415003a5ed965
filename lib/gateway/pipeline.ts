/**
 * One chat-completions request through the whole pipeline: authenticate, validate, resolve, admit,
 * reserve budget, call upstream, stream back, account. Every path ends in exactly one usage row.
 */
import { admit, callerChecks, modelChecks, refusal } from "./admission";
import { authenticateApiKey } from "./auth";
import { readJsonBody } from "./body";
import type { Reservation } from "./budget";
import { costMicros } from "./cost";
import { GatewayError, toErrorResponse } from "./errors";
import type { GatewayCore } from "./gateway";
import type { Grant } from "./rate-limit";
import { applyCeiling, outputCeiling } from "./output-ceiling";
import { estimatePromptTokens } from "./prompt-estimate";
import { parseChatRequest } from "./request-schema";
import { resolveModel } from "./resolve";
import { clientStream } from "./stream-response";
import { ClientAborted } from "./timeouts";
import { countText } from "./tokens";
import { openUpstream, targetsFor, UpstreamFailure, type OpenedUpstream, type UpstreamTarget } from "./upstream";
import type { Caller, UsageRecord, UsageStatus } from "./types";

export interface DoorContext {
  /** Set by the browser door, which authenticates with a session instead of an API key. */
  caller?: Caller;
  /** The chat conversation, the first choice of sticky key for route splits. */
  conversationId?: string;
  /** Told the request's usage row once it is final (the chat shows cost and model per reply). */
  onUsage?: (row: UsageRecord) => void;
}

/** What one request has learned so far; turned into its usage row exactly once. */
class RequestLedger {
  row: UsageRecord;
  grants: Grant[] = [];
  reservation: Reservation | null = null;
  private done = false;

  constructor(
    private readonly gw: GatewayCore,
    requestId: string,
    readonly startedAt: number,
    private readonly onUsage?: (row: UsageRecord) => void,
  ) {
    this.row = {
      requestId, createdAt: startedAt, teamId: null, keyId: null, userId: null, routeId: null, variant: null,
      stickyKey: null, requestedModel: null, servedModel: null, providerId: null, attempts: 0, fallbackUsed: false,
      stream: false, status: "ok", httpStatus: 200, errorType: null, promptTokens: 0, completionTokens: 0,
      costMicros: 0, latencyMs: 0, ttftMs: null,
    };
  }

  served(target: UpstreamTarget | null, attempts: number, fallbackUsed: boolean) {
    this.row.attempts = attempts;
    this.row.fallbackUsed = fallbackUsed;
    if (target) {
      this.row.servedModel = target.model.name;
      this.row.providerId = target.provider.id;
    }
  }

  finish(status: UsageStatus, httpStatus: number, errorType: string | null, tokens?: { prompt: number; completion: number; prices: UpstreamTarget["model"] }) {
    if (this.done) return;
    this.done = true;
    const now = this.gw.deps.now();
    const r = this.row;
    r.status = status;
    r.httpStatus = httpStatus;
    r.errorType = errorType;
    r.latencyMs = Math.max(0, Math.round(now - this.startedAt));
    if (tokens) {
      r.promptTokens = tokens.prompt;
      r.completionTokens = tokens.completion;
      r.costMicros = costMicros(tokens.prices, tokens.prompt, tokens.completion);
    }
    for (const grant of this.grants) this.gw.limiter.adjust(grant, r.promptTokens + r.completionTokens, now);
    if (this.reservation) {
      if (r.costMicros > this.reservation.amountMicros) this.overrun(this.reservation.amountMicros);
      for (const alert of this.gw.budgets.settle(this.reservation, r.costMicros, now)) {
        this.gw.deps.store.recordEvent({ type: "budget.alert", subjectType: "team", subjectId: alert.teamId, actor: "system", data: { ...alert } });
      }
    }
    this.gw.deps.store.recordUsage(r);
    this.gw.observe(r);
    this.onUsage?.(r);
  }

  // The upstream produced more than it was allowed (or counted its prompt higher than the
  // estimate): the real cost is booked all the same, and the event says by how much.
  private overrun(reservedMicros: number) {
    const r = this.row;
    this.gw.deps.store.recordEvent({
      type: "budget.overrun",
      subjectType: "team",
      subjectId: r.teamId ?? "",
      actor: "system",
      data: {
        requestId: r.requestId, servedModel: r.servedModel, stream: r.stream, reservedMicros, costMicros: r.costMicros,
        overMicros: r.costMicros - reservedMicros, promptTokens: r.promptTokens, completionTokens: r.completionTokens,
      },
    });
  }
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

export async function handleChatCompletion(gw: GatewayCore, req: Request, door: DoorContext = {}): Promise<Response> {
  const { deps } = gw;
  const startedAt = deps.now();
  const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
  const ledger = new RequestLedger(gw, requestId, startedAt, door.onUsage);
  let opened: OpenedUpstream | null = null;
  let rateHeaders: Record<string, string> = {};

  try {
    const caller = door.caller ?? authenticateApiKey(req, deps.store);
    Object.assign(ledger.row, { teamId: caller.team.id, keyId: caller.keyId, userId: caller.userId });

    const json = (await readJsonBody(req, gw.options.maxBodyBytes)) as Record<string, unknown>;
    const body = parseChatRequest(json);
    const stream = body.stream === true;
    Object.assign(ledger.row, { requestedModel: body.model, stream });

    const catalog = deps.store.catalog();
    const resolution = resolveModel(body.model, catalog, { conversationId: door.conversationId ?? null, user: body.user ?? null, keyId: caller.keyId }, deps.random, caller.team.allowedModels);
    Object.assign(ledger.row, { routeId: resolution.routeId, variant: resolution.variant, stickyKey: resolution.stickyKey });
    const targets = targetsFor(resolution.model, catalog, resolution.extraFallbacks);

    // Worst case up front: the prompt's upper bound plus the most output the call may produce,
    // n choices of it. Capping the upstream at that ceiling is what makes a budget exact.
    const promptEstimate = estimatePromptTokens(body);
    const budgeted = caller.team.dailyBudgetMicros !== null || caller.team.monthlyBudgetMicros !== null;
    const ceiling = outputCeiling(body, resolution.model.maxOutputTokens, budgeted);
    const maxOut = ceiling.total;
    const upstreamJson = applyCeiling(json, ceiling);

    const admission = admit(gw.limiter, callerChecks(caller, promptEstimate + maxOut, gw.options.globalRpm), deps.now());
    ledger.grants.push(admission.grant);
    rateHeaders = admission.headers;

    const worstCase = Math.max(...targets.map((t) => costMicros(t.model, promptEstimate, maxOut)), 0);
    const reserved = gw.budgets.reserve(caller.team, worstCase, deps.now());
    if (!reserved.ok) {
      const resetAt = new Date(deps.now() + reserved.retryAfterSeconds * 1000).toISOString();
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

    opened = await openUpstream(deps, {
      targets,
      body: upstreamJson,
      stream,
      clientSignal: req.signal,
      startedAt,
      breakers: gw.breakers,
      onAttempt: (target, attempts, fallbackUsed) => ledger.served(target, attempts, fallbackUsed),
      admit: (target) => {
        const checks = modelChecks(target.model, promptEstimate + maxOut);
        if (checks.length === 0) return null;
        const result = gw.limiter.admit(checks, deps.now());
        if (!result.ok) return refusal(result);
        ledger.grants.push(result.grant);
        return null;
      },
    });
    ledger.served(opened.target, opened.attempts, opened.fallbackUsed);
    const headers: Record<string, string> = { "x-request-id": requestId, "x-switchyard-model": opened.target.model.name, ...rateHeaders };
    if (resolution.variant) headers["x-switchyard-variant"] = resolution.variant;

    if (!stream) {
      const usage = opened.json?.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
      const prompt = typeof usage?.prompt_tokens === "number" ? usage.prompt_tokens : promptEstimate;
      const completion = typeof usage?.completion_tokens === "number" ? usage.completion_tokens : completionTokensOf(opened.json);
      ledger.finish("ok", 200, null, { prompt, completion, prices: opened.target.model });
      return new Response(opened.text, { status: 200, headers: { "content-type": "application/json", ...headers } });
    }

    const target = opened.target;
    const probe = opened.probe;
    const body$ = clientStream(opened, {
      includeUsage: body.stream_options?.include_usage === true,
      now: deps.now,
      outputLimit: ceiling.enforced ? ceiling.total : null,
      budgeted,
      onEnd: (outcome) => {
        const now = deps.now();
        if (outcome.status !== "aborted") gw.breakers.record(target.model.id, outcome.status === "ok", now, probe);
        if (outcome.firstTokenAt !== null) ledger.row.ttftMs = Math.round(outcome.firstTokenAt - startedAt);
        const prompt = outcome.usage?.promptTokens ?? promptEstimate;
        const completion = outcome.usage?.completionTokens ?? outcome.countCompletion();
        const httpStatus = outcome.status === "ok" ? 200 : outcome.status === "aborted" ? 499 : 502;
        ledger.finish(outcome.status, httpStatus, outcome.errorType, { prompt, completion, prices: target.model });
      },
    });
    return new Response(body$, {
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no", ...headers },
    });
  } catch (err) {
    if (err instanceof ClientAborted || (req.signal.aborted && !(err instanceof GatewayError) && !(err instanceof UpstreamFailure))) {
      if (err instanceof UpstreamFailure) ledger.served(err.lastTarget, err.attempts, err.fallbackUsed);
      ledger.finish("aborted", 499, "client_closed");
      return new Response(null, { status: 499 });
    }
    if (err instanceof UpstreamFailure) {
      ledger.served(err.lastTarget, err.attempts, err.fallbackUsed);
      ledger.finish(statusOf(err.error), err.error.status, err.error.code ?? err.error.type);
      return toErrorResponse(err.error, deps.log, { "x-request-id": requestId, ...rateHeaders });
    }
    if (err instanceof GatewayError) {
      ledger.finish(statusOf(err), err.status, err.code ?? err.type);
      return toErrorResponse(err, deps.log, { "x-request-id": requestId, ...(err.status === 429 ? {} : rateHeaders) });
    }
    ledger.finish("error", 500, "internal_error");
    return toErrorResponse(err, deps.log, { "x-request-id": requestId });
  }
}

/** Completion tokens of a non-streaming answer that reports no usage: each choice counted whole. */
function completionTokensOf(json: Record<string, unknown> | undefined): number {
  const choices = json?.choices;
  if (!Array.isArray(choices)) return 0;
  let total = 0;
  for (const c of choices) {
    const m = (c as { message?: { content?: unknown; refusal?: unknown; reasoning_content?: unknown; tool_calls?: unknown; function_call?: unknown } } | null)?.message;
    if (!m) continue;
    for (const text of [m.content, m.refusal, m.reasoning_content]) if (typeof text === "string") total += countText(text);
    if (m.tool_calls) total += countText(JSON.stringify(m.tool_calls));
    if (m.function_call) total += countText(JSON.stringify(m.function_call));
  }
  return total;
}
