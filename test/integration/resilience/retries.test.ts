/**
 * Retries over real HTTP: the gateway honours the upstream's Retry-After / retry-after-ms, retries
 * 5xx, fails over instead of sleeping past the deadline, and never retries a client error.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { chunk, completion, openSse, provision, sendJson, sleep, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { chat, sseData, teamUsage, waitFor } from "./helpers";

let server: TestServer;
let flaky: TestUpstream;
let healthy: TestUpstream;
let setup: Awaited<ReturnType<typeof provision>>;
let fallback: Awaited<ReturnType<typeof provision>>;

// The deadline each request has; a wait the gateway should not make would run into it.
const TOTAL_TIMEOUT_MS = 2000;
// Room for one process to answer, another to decide and call again, on a loaded two-core machine.
const CROSS_PROCESS_SLACK_MS = 1000;

const ok = (res: ServerResponse) =>
  sendJson(res, 200, completion("up-model", "fine", { prompt_tokens: 5, completion_tokens: 1 }));

const rowCount = () => (server.db().prepare("select count(*) as n from usage where team_id = ?").get(setup.team.id) as { n: number }).n;

/** Sends one request; returns its response, the hits it caused at the flaky upstream, and its usage row. */
async function run(): Promise<{ res: Response; hits: number; elapsed: number; row: () => Promise<Record<string, any>> }> {
  const rowsBefore = rowCount();
  const hitsBefore = flaky.received.length;
  const t0 = Date.now();
  const res = await chat(server, setup.key, setup.model.name);
  const elapsed = Date.now() - t0;
  const hits = flaky.received.length - hitsBefore;
  return { res, hits, elapsed, row: async () => (await teamUsage(server, setup.team.id, rowsBefore + 1)).at(-1)! };
}

beforeAll(async () => {
  flaky = await startUpstream((_req, res) => ok(res));
  healthy = await startUpstream((_req, res) => sendJson(res, 200, completion("up-fallback", "from the fallback", { prompt_tokens: 5, completion_tokens: 3 })));
  // Failures here are meant to be retried, not to trip the breaker between tests.
  server = await startServer({ env: { SWITCHYARD_BREAKER_MIN_REQUESTS: "1000" } });
  fallback = await provision(server.admin, { baseUrl: healthy.baseUrl });
  setup = await provision(server.admin, {
    baseUrl: flaky.baseUrl,
    providerSettings: { maxAttempts: 3, totalTimeoutMs: TOTAL_TIMEOUT_MS },
    model: { fallbacks: [fallback.model.name] },
  });
});

afterAll(async () => {
  await server?.stop();
  await flaky?.close();
  await healthy?.close();
});

describe("retries", () => {
  it("waits out the upstream's Retry-After: 1 and succeeds on the second attempt", async () => {
    const start = flaky.received.length;
    flaky.handle((_req, res, n) => {
      if (n === start + 1) sendJson(res, 429, { error: { message: "slow down", type: "rate_limit_error" } }, { "retry-after": "1" });
      else ok(res);
    });
    const { res, hits, elapsed, row } = await run();
    expect(res.status).toBe(200);
    expect(hits).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    // The second attempt went out a full second after the first.
    const [first, second] = flaky.received.slice(-2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
    expect(await row()).toMatchObject({ status: "ok", http_status: 200, attempts: 2, fallback_used: 0, served_model: setup.model.name });
  });

  it("retries two 500s and answers from the third attempt", async () => {
    const start = flaky.received.length;
    flaky.handle((_req, res, n) => {
      if (n <= start + 2) sendJson(res, 500, { error: { message: "boom", type: "server_error" } });
      else ok(res);
    });
    const { res, hits, row } = await run();
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe("fine");
    expect(hits).toBe(3);
    expect(await row()).toMatchObject({ status: "ok", attempts: 3, fallback_used: 0 });
  });

  it("honours retry-after-ms: 300", async () => {
    const start = flaky.received.length;
    flaky.handle((_req, res, n) => {
      if (n === start + 1) sendJson(res, 503, { error: { message: "busy", type: "server_error" } }, { "retry-after-ms": "300" });
      else ok(res);
    });
    const { res, hits, row } = await run();
    expect(res.status).toBe(200);
    expect(hits).toBe(2);
    const [first, second] = flaky.received.slice(-2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(295);
    expect(second!.at - first!.at).toBeLessThan(300 + CROSS_PROCESS_SLACK_MS);
    expect(await row()).toMatchObject({ status: "ok", attempts: 2 });
  });

  it("fails over at once when the upstream asks for a wait longer than the deadline", async () => {
    flaky.handle((_req, res) => sendJson(res, 429, { error: { message: "come back later", type: "rate_limit_error" } }, { "retry-after": "30" }));
    const healthyBefore = healthy.received.length;
    const { res, hits, row } = await run();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-model")).toBe(fallback.model.name);
    expect((await res.json()).choices[0].message.content).toBe("from the fallback");
    expect(hits).toBe(1);
    expect(healthy.received.length - healthyBefore).toBe(1);
    // Measured between the two upstreams' arrivals, both on this process's clock: a gateway that
    // slept first would have slept into the deadline, 2 s after the first attempt.
    expect(healthy.received.at(-1)!.at - flaky.received.at(-1)!.at).toBeLessThan(TOTAL_TIMEOUT_MS - 500);
    expect(await row()).toMatchObject({ status: "ok", attempts: 2, fallback_used: 1, served_model: fallback.model.name });
  });

  it("retries a stream that fails before its first event, since nothing has reached the client", async () => {
    const start = flaky.received.length;
    flaky.handle((_req, res, n) => {
      const send = openSse(res);
      if (n === start + 1) res.destroy(); // headers, then the connection drops
      else if (n === start + 2) {
        send({ error: { message: "overloaded", type: "server_error" } });
        res.end();
      } else {
        send(chunk("up-model", { role: "assistant", content: "third time lucky" }));
        send(chunk("up-model", {}, "stop"));
        send("[DONE]");
        res.end();
      }
    });
    const rowsBefore = rowCount();
    const res = await chat(server, setup.key, setup.model.name, { stream: true });
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(events.filter((e) => e.includes('"error"'))).toEqual([]);
    expect(JSON.parse(events[0]!).choices[0].delta.content).toBe("third time lucky");
    expect(events.at(-1)).toBe("[DONE]");
    expect(flaky.received.length - start).toBe(3);
    const rows = await teamUsage(server, setup.team.id, rowsBefore + 1);
    expect(rows.at(-1)).toMatchObject({ status: "ok", stream: 1, attempts: 3, fallback_used: 0 });
  });

  it("stops retrying when the client goes away during the wait", async () => {
    flaky.handle((_req, res) => sendJson(res, 503, { error: { message: "busy", type: "server_error" } }, { "retry-after-ms": "1000" }));
    const rowsBefore = rowCount();
    const hitsBefore = flaky.received.length;
    const ac = new AbortController();
    const pending = chat(server, setup.key, setup.model.name, {}, { signal: ac.signal }).catch((err: Error) => err);
    await waitFor(() => flaky.received.length > hitsBefore, 2000, "the first attempt");
    await sleep(100);
    ac.abort();
    expect(await pending).toBeInstanceOf(Error);
    const rows = await teamUsage(server, setup.team.id, rowsBefore + 1);
    expect(rows.at(-1)).toMatchObject({ status: "aborted", http_status: 499, attempts: 1, served_model: setup.model.name });
    // Well past the 1 s the upstream asked for: the second attempt never went out.
    await sleep(1100);
    expect(flaky.received.length - hitsBefore).toBe(1);
  });

  it("does not retry a 400 and hands the upstream's message to the client", async () => {
    flaky.handle((_req, res) =>
      sendJson(res, 400, { error: { message: "messages[0].content is too long for this model", type: "invalid_request_error", code: "context_length_exceeded", param: "messages" } }),
    );
    const healthyBefore = healthy.received.length;
    const { res, hits, row } = await run();
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ message: "messages[0].content is too long for this model", type: "invalid_request_error", code: "context_length_exceeded" });
    expect(hits).toBe(1);
    // A client error is the client's: no fallback either.
    expect(healthy.received.length).toBe(healthyBefore);
    expect(await row()).toMatchObject({ status: "rejected", http_status: 400, attempts: 1, fallback_used: 0 });
  });
});
