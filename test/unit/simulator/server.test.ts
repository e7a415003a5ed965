import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSimConfig, startSimulatorServer, type SimulatorServer } from "@/lib/simulator/server";
import { chatRequest, chunksOf, contentOf, readEvents, userTurn } from "./helpers";

let server: SimulatorServer;

beforeAll(async () => {
  server = await startSimulatorServer({
    port: 0,
    profiles: {
      // 50 ms between pieces: far enough apart that a busy test process still takes them in as
      // separate reads (at 10 ms the socket often handed over two at once).
      paced: { ttftMs: 20, tokensPerSecond: 20, outputTokens: 6 },
      quick: { ttftMs: 0, tokensPerSecond: 100_000 },
    },
  });
});
afterAll(() => server.close());

const post = (body: Record<string, unknown>, init: RequestInit = {}) =>
  fetch(chatRequest(body, { ...init, headers: { "content-type": "application/json" } }, server.url));

const put = (model: string, body: string) =>
  fetch(`${server.url}/_sim/models/${encodeURIComponent(model)}`, { method: "PUT", body });

describe("simulator HTTP server", () => {
  it("listens on an ephemeral port of 127.0.0.1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("streams events over several reads as they are made", async () => {
    const started = performance.now();
    const res = await post({ model: "paced", stream: true, stream_options: { include_usage: true }, messages: userTurn("hello") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const read = await readEvents(res.body);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
    expect(read.reads).toBeGreaterThan(2);
    expect(read.data.at(-1)).toBe("[DONE]");
    const chunks = chunksOf(read);
    expect(chunks.at(-1).usage.completion_tokens).toBe(6);
    expect(contentOf(chunks).length).toBeGreaterThan(0);
  });

  it("answers non-streaming requests whole, with a content-length", async () => {
    const res = await post({ model: "quick", messages: userTurn("hello") });
    expect(res.headers.get("content-length")).toBeTruthy();
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("quick");
  });

  it("changes a model's behaviour through PUT /_sim/models/<model>", async () => {
    await (await put("flaky", JSON.stringify({ ttftMs: 0, tokensPerSecond: 100_000 }))).arrayBuffer();
    const before = await post({ model: "flaky", messages: userTurn("hi") });
    expect(before.status).toBe(200);
    await before.arrayBuffer();

    const updated = await put("flaky", JSON.stringify({ ttftMs: 0, rateLimitRate: 1, retryAfterSeconds: 3 }));
    expect(updated.status).toBe(200);
    expect((await updated.json()).profile).toMatchObject({ rateLimitRate: 1, retryAfterSeconds: 3, tokensPerSecond: 100 });

    const after = await post({ model: "flaky", messages: userTurn("hi") });
    expect(after.status).toBe(429);
    expect(after.headers.get("retry-after")).toBe("3");
    expect((await after.json()).error.code).toBe("rate_limit_exceeded");

    const listed = await (await fetch(`${server.url}/_sim/models`)).json();
    expect(listed.flaky).toEqual({ ttftMs: 0, rateLimitRate: 1, retryAfterSeconds: 3 });
    const models = await (await fetch(`${server.url}/v1/models`)).json();
    expect(models.data.map((m: { id: string }) => m.id)).toContain("flaky");
  });

  it.each([
    ["not JSON", "{"],
    ["an out-of-range rate", JSON.stringify({ errorRate: 2 })],
    ["an unknown field", JSON.stringify({ latency: 5 })],
  ])("rejects a PUT with %s", async (_name, body) => {
    const res = await put("broken", body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.type).toBe("invalid_request_error");
    expect((await (await fetch(`${server.url}/_sim/models`)).json()).broken).toBeUndefined();
  });

  it("drops the connection when a stream is cut", async () => {
    await (await put("cutting", JSON.stringify({ ttftMs: 0, tokensPerSecond: 1000, cutRate: 1, outputTokens: 20 }))).arrayBuffer();
    const res = await post({ model: "cutting", stream: true, messages: userTurn("hi") });
    const read = await readEvents(res.body);
    expect(read.error).toBeDefined();
    expect(read.data).not.toContain("[DONE]");
  });

  it("keeps serving after a client goes away mid-stream", async () => {
    const aborter = new AbortController();
    const res = await post({ model: "paced", stream: true, messages: userTurn("bye") }, { signal: aborter.signal });
    const reader = res.body!.getReader();
    await reader.read();
    aborter.abort();
    const next = await post({ model: "quick", messages: userTurn("hello") });
    expect(next.status).toBe(200);
    await next.arrayBuffer();
  });

  it("answers OpenAI-shaped 404s for unknown paths", async () => {
    const res = await fetch(`${server.url}/v1/nothing`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error" });
  });
});

describe("parseSimConfig", () => {
  it("reads per-model profiles and rejects bad ones", () => {
    expect(parseSimConfig(undefined)).toEqual({});
    expect(parseSimConfig('{"a":{"ttftMs":5}}')).toEqual({ a: { ttftMs: 5 } });
    expect(() => parseSimConfig("[]")).toThrow(/SIM_CONFIG/);
    expect(() => parseSimConfig('{"a":{"ttftMs":-1}}')).toThrow(/SIM_CONFIG\.a/);
  });
});
