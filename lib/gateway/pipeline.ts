/**
 * One request of any endpoint through the whole pipeline: authenticate, validate, resolve, admit,
 * reserve budget, call upstream, stream back, account. Every path ends in exactly one usage row.
 */
import { callerChecks, refusal } from "./admission";
import { authenticateApiKey } from "./auth";
import { costMicros } from "./cost";
import { GatewayError, toErrorAnswer } from "./errors";
import { SSE_HEADERS, type GatewayRequest, type GatewayResponse } from "./exchange";
import type { GatewayCore } from "./gateway";
import { targetsServing } from "./endpoints/capabilities";
import type { Endpoint, ParsedRequest } from "./endpoints/types";
import type { Frame } from "./providers/types";
import { cacheDirective, cacheKey, compactEvents, isCacheable, type CacheEntry } from "./response-cache";
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

function statusOf(err: GatewayError): UsageStatus {
  if (err.code === "budget_exceeded") return "budget_exceeded";
  if (err.status === 429 && err.code !== "upstream_rate_limited") return "rate_limited";
  return err.status >= 500 || err.code === "upstream_rate_limited" ? "error" : "rejected";
}

const CLIENT_GONE: GatewayResponse = { status: 499, headers: {}, body: "" };
const FREE = { inputMicrosPerMTok: 0, outputMicrosPerMTok: 0 };

/** A cache hit, in the format the request asked for: a stream replays the whole answer at once. */
function answerFromCache(ledger: RequestLedger, parsed: ParsedRequest, entry: CacheEntry, headers: Record<string, string>, now: () => number): GatewayResponse {
  Object.assign(ledger.row, { cache: "hit", servedModel: entry.model, savedMicros: entry.costMicros });
  const out = { ...headers, "x-switchyard-model": entry.model, "x-switchyard-cache": "hit" };
  const meta = { requestId: ledger.row.requestId, model: entry.model };
  if (!parsed.stream) {
    ledger.finish("ok", 200, null, { prompt: entry.promptTokens, completion: entry.completionTokens, prices: FREE });
    return { status: 200, headers: { "content-type": "application/json", ...out }, body: parsed.plainBody(entry.answer, now, meta) };
  }
  const encoder = parsed.streamEncoder(now, meta);
  let sent = false;
  const relay = {
    async next() {
      if (sent) return null;
      sent = true;
      ledger.row.ttftMs = Math.max(0, Math.round(now() - ledger.startedAt));
      ledger.finish("ok", 200, null, { prompt: entry.promptTokens, completion: entry.completionTokens, prices: FREE });
      // Rebuilt from the events: a whole answer's own text is not a stream chunk.
      return encoder.frame({ raw: null, events: entry.answer.events }) + encoder.done();
    },
    busy() {},
    ready() {},
    cancel() {
      if (sent) return;
      sent = true;
      ledger.finish("aborted", 499, "client_closed");
    },
  };
  return { status: 200, headers: { ...SSE_HEADERS, ...out }, stream: relay };
}

export async function handleRequest(gw: GatewayCore, endpoint: Endpoint, req: GatewayRequest, door: DoorContext = {}): Promise<GatewayResponse> {
  const { deps } = gw;
  const startedAt = deps.now();
  const requestId = deps.requestId();
  const ledger = new RequestLedger(gw, requestId, startedAt, door.onUsage);
  ledger.row.endpoint = endpoint.name;
  let rateHeaders: Record<string, string> = {};
  // Every answer to a team whose cache is on says whether it came from the cache.
  const cacheHeader = (): Record<string, string> => (ledger.row.cache ? { "x-switchyard-cache": ledger.row.cache } : {});

  try {
    const caller = door.caller ?? (await authenticateApiKey(req, deps.store));
    Object.assign(ledger.row, { teamId: caller.team.id, keyId: caller.keyId, userId: caller.userId });

    const parsed = endpoint.parse(await req.json(gw.options.maxBodyBytes));
    const { stream } = parsed;
    Object.assign(ledger.row, { requestedModel: parsed.model, stream });

    const catalog = await deps.store.catalog();
    const resolution = resolveModel(parsed.model, catalog, { conversationId: door.conversationId ?? null, user: parsed.user, keyId: caller.keyId }, deps.random, caller.team.allowedModels);
    Object.assign(ledger.row, { routeId: resolution.routeId, variant: resolution.variant, stickyKey: resolution.stickyKey });
    const targets = targetsServing(parsed.model, parsed.capability, catalog, targetsFor(resolution.model, catalog, resolution.extraFallbacks));

    // Worst case up front: the prompt's upper bound plus the most output the call may produce.
    const budgeted = caller.team.dailyBudgetMicros !== null || caller.team.monthlyBudgetMicros !== null;
    const plan = parsed.plan(resolution.model, budgeted);
    const { promptEstimate, ceiling } = plan;
    const tokens = promptEstimate + ceiling.total;

    const cacheSetting = caller.team.responseCache;
    const directive = cacheDirective(req.headers.get("x-switchyard-cache"));
    if (cacheSetting && cacheSetting.mode !== "off") ledger.row.cache = "miss";
    const key = directive !== "off" && isCacheable(cacheSetting, plan) ? cacheKey(caller.team.id, resolution.model.name, plan) : null;
    const cached = key && directive === "use" ? await deps.cache.get(key, caller.team.id, deps.now()) : null;
    if (cached) {
      // No upstream call and no spend: the request counts against the caller's request rate only.
      const admitted = await deps.admission.admit(callerChecks(caller, 0, gw.options.globalRpm), null, deps.now());
      if (!admitted.ok) throw refusal(admitted);
      rateHeaders = admitted.headers;
      return answerFromCache(ledger, parsed, cached, { "x-request-id": requestId, ...rateHeaders }, deps.now);
    }

    // The caller's limits and the budget's worst case, taken together (one round trip when shared).
    // A team without a cap is held too: its spend stays counted, so a cap set later starts exact.
    const worstCase = Math.max(...targets.map((t) => costMicros(t.model, promptEstimate, ceiling.total)), 0);
    const admitted = await deps.admission.admit(callerChecks(caller, tokens, gw.options.globalRpm), { team: caller.team, amountMicros: worstCase }, deps.now());
    if (!admitted.ok) throw refusal(admitted);
    const reservedAt = deps.now();
    ledger.admitted(admitted.grant, caller.team);
    rateHeaders = admitted.headers;
    // The upstream is called right after the admission: its instant is the end of the wait.
    ledger.row.queueMs = Math.max(0, Math.round(reservedAt - startedAt));

    const opened = await openUpstream(deps, { targets, operation: plan.operation, body: plan.body, native: plan.native, stream, clientSignal: req.signal, startedAt, tokens, grants: ledger.grants });
    ledger.served(opened.target, opened.attempts, opened.fallbackUsed, opened.firstByteAt);
    const headers: Record<string, string> = { "x-request-id": requestId, "x-switchyard-model": opened.target.model.name, ...rateHeaders, ...cacheHeader() };
    const remember = (answer: Frame, prompt: number, completion: number) => {
      if (!key) return;
      const now = deps.now();
      const entry = { answer, model: opened.target.model.name, promptTokens: prompt, completionTokens: completion, costMicros: ledger.row.costMicros };
      // Stored behind the answer; the cache logs its own failures.
      void deps.cache.put(key, caller.team.id, entry, now + cacheSetting!.ttlSeconds * 1000, now);
    };
    if (resolution.variant) headers["x-switchyard-variant"] = resolution.variant;
    const prices = opened.target.model;
    const meta = { requestId, model: opened.target.model.name };

    if (opened.kind === "plain") {
      const usage = opened.answer.events.find((e) => e.type === "usage");
      const prompt = usage?.type === "usage" ? usage.promptTokens : promptEstimate;
      const completion = usage?.type === "usage" ? usage.completionTokens : countOutput(opened.answer.events);
      ledger.finish("ok", 200, null, { prompt, completion, prices });
      remember(opened.answer, prompt, completion);
      return { status: 200, headers: { "content-type": "application/json", ...headers }, body: parsed.plainBody(opened.answer, deps.now, meta) };
    }

    const relay = createRelay(opened, parsed.streamEncoder(deps.now, meta), {
      now: deps.now,
      outputLimit: ceiling.enforced ? ceiling.total : null,
      budgeted,
      collect: key !== null,
      onEnd: (outcome) => {
        if (outcome.firstTokenAt !== null) ledger.row.ttftMs = Math.round(outcome.firstTokenAt - startedAt);
        const prompt = outcome.usage?.promptTokens ?? promptEstimate;
        const completion = outcome.usage?.completionTokens ?? outcome.countCompletion();
        const httpStatus = outcome.status === "ok" ? 200 : outcome.status === "aborted" ? 499 : 502;
        ledger.finish(outcome.status, httpStatus, outcome.errorType, { prompt, completion, prices });
        // Only a complete answer is kept: a stream that failed or was cut never is.
        if (outcome.status === "ok") remember({ raw: null, events: compactEvents(outcome.events) }, prompt, completion);
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
      return toErrorAnswer(err.error, deps.log, { "x-request-id": requestId, ...rateHeaders, ...cacheHeader() });
    }
    // The client went away while its body was still being read.
    if (req.signal.aborted && !(err instanceof GatewayError)) {
      ledger.finish("aborted", 499, "client_closed");
      return CLIENT_GONE;
    }
    if (err instanceof GatewayError) {
      ledger.finish(statusOf(err), err.status, err.code ?? err.type);
      return toErrorAnswer(err, deps.log, { "x-request-id": requestId, ...(err.status === 429 ? {} : rateHeaders), ...cacheHeader() });
    }
    ledger.finish("error", 500, "internal_error");
    return toErrorAnswer(err, deps.log, { "x-request-id": requestId });
  }
}
