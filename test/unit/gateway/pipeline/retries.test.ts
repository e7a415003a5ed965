/**
 * Retries through the whole pipeline, in-process: what is retried, how long the gateway waits
 * (the fake clock records every wait), when it fails over instead, and what is never retried.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { backoffDelay } from "@/lib/gateway/retry-policy";
import { completion, errorAnswer, inTurn } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, seededRandom, UPSTREAM_KEY, type Harness } from "../../../helpers/gateway";

let h: Harness;
let key: string;
let primaryId: string;

const fine = () => completion("fine", { prompt_tokens: 5, completion_tokens: 1 });
const fromFallback = () => completion("from the fallback", { prompt_tokens: 5, completion_tokens: 3 });

beforeEach(async () => {
  h = createHarness({ seed: 1 });
  await h.model("fallback");
  primaryId = (await h.model("primary", { providerId: (await h.provider({ maxAttempts: 3, totalTimeoutMs: 20_000 })).id, fallbacks: ["fallback"] })).id;
  key = await h.key((await h.team()).id);
  h.upstream.handle("fallback", fromFallback);
});

afterEach(() => h.close());

describe("retries", () => {
  it("retries a 500 after a jittered backoff and answers from the second attempt", async () => {
    h.upstream.handle("primary", inTurn(() => errorAnswer(500, "boom"), fine));
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(jsonOf(res).choices[0].message.content).toBe("fine");
    expect(h.upstream.callsTo("primary")).toHaveLength(2);
    expect(h.upstream.callsTo("fallback")).toHaveLength(0);
    // Full jitter over the first step of the backoff, from the seeded generator.
    const wait = backoffDelay(1, seededRandom(1));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThan(250);
    expect(h.clock.sleeps).toEqual([wait]);

    const [row] = await h.rows();
    expect(row).toMatchObject({ status: "ok", http_status: 200, error_type: null, attempts: 2, fallback_used: 0, served_model: "primary", stream: 0 });
    expect(row).toMatchObject({ prompt_tokens: 5, completion_tokens: 1, cost_micros: costMicros({ inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 }, 5, 1) });
    expect(row!.latency_ms).toBe(Math.round(wait));
    // Nothing waited before the first attempt; the answering upstream's headers came after the backoff.
    expect(row).toMatchObject({ queue_ms: 0, first_byte_ms: Math.round(wait) });
    expect(h.gateway.breakers.state(primaryId, h.clock.now())).toMatchObject({ state: "closed", requests: 2, failures: 1 });
  });

  it.each([
    ["a network failure", () => Promise.reject(new TypeError("fetch failed"))],
    ["a 200 whose body is not a completion", () => new Response("<html>gateway hiccup</html>", { status: 200 })],
  ])("retries %s", async (_what, failure) => {
    h.upstream.handle("primary", inTurn(failure, fine));
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(jsonOf(res).choices[0].message.content).toBe("fine");
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 2, fallback_used: 0 });
    expect(h.gateway.breakers.state(primaryId, h.clock.now())).toMatchObject({ failures: 1 });
  });

  it("waits exactly what each 429 asks for: retry-after-ms, then Retry-After in seconds", async () => {
    h.upstream.handle(
      "primary",
      inTurn(
        () => errorAnswer(429, "slow down", { "retry-after-ms": "1500" }, "rate_limit_error"),
        () => errorAnswer(429, "slower", { "retry-after": "2" }, "rate_limit_error"),
        fine,
      ),
    );
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(h.clock.sleeps).toEqual([1500, 2000]);
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 3, fallback_used: 0, served_model: "primary", latency_ms: 3500 });
  });

  it("fails over to the fallback without sleeping when Retry-After is longer than maxRetryAfterMs", async () => {
    h.upstream.handle("primary", () => errorAnswer(429, "come back in a minute", { "retry-after": "60" }, "rate_limit_error"));
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(res.headers["x-switchyard-model"]).toBe("fallback");
    expect(jsonOf(res).choices[0].message.content).toBe("from the fallback");
    expect(h.clock.sleeps).toEqual([]);
    expect(h.upstream.callsTo("primary")).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 2, fallback_used: 1, served_model: "fallback" });
  });

  it("fails over without sleeping when the wait would pass the request's deadline", async () => {
    // 25 s is under maxRetryAfterMs (30 s) but past the 20 s total timeout.
    h.upstream.handle("primary", () => errorAnswer(503, "busy", { "retry-after-ms": "25000" }));
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(h.clock.sleeps).toEqual([]);
    expect((await h.rows())[0]).toMatchObject({ attempts: 2, fallback_used: 1, served_model: "fallback" });
  });

  it("does not retry a 400: the client gets the upstream's message, redacted, and the breaker is not blamed", async () => {
    h.upstream.handle("primary", () =>
      Response.json(
        { error: { message: `Invalid 'messages[0]' (sent with key ${UPSTREAM_KEY})`, type: "invalid_request_error", code: "invalid_value", param: "messages" } },
        { status: 400 },
      ),
    );
    const res = await h.chat(key);

    expect(res.status).toBe(400);
    expect(res.headers["x-request-id"]).toBe("req_0001");
    const body = jsonOf(res);
    expect(body.error).toEqual({ message: "Invalid 'messages[0]' (sent with key ••••)", type: "invalid_request_error", code: "invalid_value", param: "messages" });
    expect(JSON.stringify(body)).not.toContain(UPSTREAM_KEY);
    expect(h.upstream.callsTo("primary")).toHaveLength(1);
    expect(h.upstream.callsTo("fallback")).toHaveLength(0);
    expect(h.clock.sleeps).toEqual([]);
    expect(h.gateway.breakers.state(primaryId, h.clock.now())).toMatchObject({ state: "closed", requests: 1, failures: 0 });
    expect(await h.rows()).toEqual([expect.objectContaining({ status: "rejected", http_status: 400, error_type: "invalid_value", attempts: 1, fallback_used: 0, cost_micros: 0 })]);
  });

  it("does not retry refused credentials, and does not pass the upstream's words on", async () => {
    h.upstream.handle("primary", () => errorAnswer(401, `bad key ${UPSTREAM_KEY}`, {}, "invalid_request_error"));
    const res = await h.chat(key);

    // The gateway's configuration is at fault, not the client's request: the fallback serves.
    expect(res.status).toBe(200);
    expect(h.upstream.callsTo("primary")).toHaveLength(1);
    expect(h.clock.sleeps).toEqual([]);
    expect((await h.rows())[0]).toMatchObject({ attempts: 2, fallback_used: 1, served_model: "fallback" });
  });
});
