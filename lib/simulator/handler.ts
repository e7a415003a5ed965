// The simulated upstream as a fetch-like function speaking OpenAI's HTTP API on any origin.
import { randomUUID } from "node:crypto";
import { parseEmbeddingsRequest, type EmbeddingsRequest } from "../gateway/embeddings-request";
import { GatewayError } from "../gateway/errors";
import { embeddingsBody } from "./embeddings";
import { BUILTIN_PROFILES, resolveProfile, type SimProfile } from "./profile";
import { planReply } from "./reply";
import { parseChatRequest } from "./request";
import { abortableSleep, type Sleep } from "./sleep";
import { replyStream } from "./stream";
import { completionBody, errorBody, errorResponse } from "./wire";

export interface SimulatorOptions {
  now?: () => number;
  random?: () => number;
  sleep?: Sleep;
  /** Per-model settings layered over the built-ins. */
  profileFor?: (model: string) => Partial<SimProfile> | undefined;
  /** Configured model names, listed by GET /models beside the built-ins. */
  models?: () => Iterable<string>;
}

export interface Simulator {
  fetch(request: Request, profile?: Partial<SimProfile>): Promise<Response>;
}

// A fixed date, so the model list is the same on every call.
const MODELS_CREATED = 1_735_689_600;
const ERROR_DELAY_MS = 50;

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? abortableSleep;

  function listModels(): Response {
    const names = new Set([...Object.keys(BUILTIN_PROFILES), ...(opts.models?.() ?? [])]);
    const data = [...names].map((id) => ({ id, object: "model", created: MODELS_CREATED, owned_by: "switchyard-simulator" }));
    return Response.json({ object: "list", data });
  }

  const profileOf = (model: string, override?: Partial<SimProfile>) => resolveProfile(BUILTIN_PROFILES[model], opts.profileFor?.(model), override);

  // Faults draw from random() only when their rate is set, so a stubbed sequence stays predictable.
  const hit = (rate: number) => rate > 0 && random() < rate;

  /** A simulated 429 or 500 when the profile's rates say so, else null. */
  async function injectedFault(profile: SimProfile, signal: AbortSignal): Promise<Response | null> {
    if (hit(profile.rateLimitRate)) {
      await wait(Math.min(profile.ttftMs, ERROR_DELAY_MS), signal);
      const seconds = profile.retryAfterSeconds;
      return errorResponse(
        429,
        errorBody("Rate limit reached (simulated)", "requests", null, "rate_limit_exceeded"),
        { "retry-after": String(Math.ceil(seconds)), "retry-after-ms": String(Math.round(seconds * 1000)) },
      );
    }
    if (hit(profile.errorRate)) {
      await wait(Math.min(profile.ttftMs, ERROR_DELAY_MS), signal);
      return errorResponse(500, errorBody("The server had an error (simulated)", "server_error"));
    }
    return null;
  }

  async function complete(request: Request, override?: Partial<SimProfile>): Promise<Response> {
    const parsed = parseChatRequest(await request.text());
    if (!parsed.ok) return errorResponse(400, errorBody(parsed.message, "invalid_request_error", parsed.param));
    const body = parsed.request;
    const profile = profileOf(body.model, override);
    const { signal } = request;
    const fault = await injectedFault(profile, signal);
    if (fault) return fault;

    const plan = planReply(body, profile);
    const cutAfter = hit(profile.cutRate) ? Math.floor(plan.pieces.length / 2) : undefined;
    const meta = { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(now() / 1000), model: body.model };

    if (body.stream) {
      const includeUsage = body.stream_options?.include_usage === true;
      const stream = replyStream(meta, plan, { ...profile, now, sleep }, { includeUsage, cutAfter, signal });
      return new Response(stream, {
        headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
      });
    }

    await wait(profile.ttftMs + (plan.pieces.length * 1000) / profile.tokensPerSecond, signal);
    const json = JSON.stringify(completionBody(meta, plan));
    const headers = { "content-type": "application/json" };
    return new Response(cutAfter === undefined ? json : truncatedBody(json), { headers });
  }

  /** POST /embeddings: the whole answer after the profile's time to first token. */
  async function embeddings(request: Request, override?: Partial<SimProfile>): Promise<Response> {
    let body: EmbeddingsRequest;
    try {
      body = parseEmbeddingsRequest(JSON.parse(await request.text()));
    } catch (err) {
      if (err instanceof GatewayError) return errorResponse(err.status, errorBody(err.message, err.type, err.param, err.code));
      return errorResponse(400, errorBody("We could not parse the JSON body of your request.", "invalid_request_error"));
    }
    const profile = profileOf(body.model, override);
    if (body.dimensions !== undefined && !profile.acceptsDimensions) {
      return errorResponse(400, errorBody("This model does not support specifying dimensions.", "invalid_request_error", "dimensions"));
    }
    if (body.dimensions !== undefined && body.dimensions > profile.dimensions) {
      return errorResponse(400, errorBody(`Invalid value for 'dimensions': this model's embeddings have ${profile.dimensions} dimensions; ask for at most that many.`, "invalid_request_error", "dimensions"));
    }
    const { signal } = request;
    const fault = await injectedFault(profile, signal);
    if (fault) return fault;
    const cut = hit(profile.cutRate);
    await wait(profile.ttftMs, signal);
    const json = JSON.stringify(
      embeddingsBody(body.inputs, {
        model: body.model,
        seed: profile.seed,
        fullDimensions: profile.dimensions,
        dimensions: body.dimensions ?? profile.dimensions,
        encodingFormat: body.encodingFormat ?? "float",
      }),
    );
    return new Response(cut ? truncatedBody(json) : json, { headers: { "content-type": "application/json" } });
  }

  // Rejects like fetch does when the request is aborted, even if an injected sleep ignores the signal.
  // Timers are no finer than a millisecond, so shorter waits are skipped rather than rounded up.
  async function wait(ms: number, signal: AbortSignal): Promise<void> {
    if (ms >= 1) await sleep(ms, signal);
    signal.throwIfAborted();
  }

  return {
    async fetch(request, profile) {
      const { pathname } = new URL(request.url);
      if (pathname.endsWith("/chat/completions")) {
        if (request.method === "POST") return complete(request, profile);
        return errorResponse(405, errorBody(`Method ${request.method} not allowed.`, "invalid_request_error"));
      }
      if (pathname.endsWith("/embeddings")) {
        if (request.method === "POST") return embeddings(request, profile);
        return errorResponse(405, errorBody(`Method ${request.method} not allowed.`, "invalid_request_error"));
      }
      if (pathname.endsWith("/models") && request.method === "GET") return listModels();
      return errorResponse(404, errorBody(`Unknown request URL: ${request.method} ${pathname}.`, "invalid_request_error", null, "unknown_url"));
    },
  };
}

/** A body that delivers half the JSON and then fails, like a connection dropped mid-response. */
function truncatedBody(json: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(json);
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error("simulated cut"));
      sent = true;
      controller.enqueue(bytes.subarray(0, bytes.length >> 1));
    },
  }, { highWaterMark: 0 });
}
