/**
 * A provider pointed at an OpenAI-compatible server written here: unknown request fields reach it,
 * its response fields reach the client, and the usage row matches what it reported.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { chunk, completion, openSse, provision, sendJson, startUpstream, type TestUpstream } from "../helpers/upstream";

let server: TestServer;
let upstream: TestUpstream;
let setup: Awaited<ReturnType<typeof provision>>;

const call = (body: Record<string, unknown>) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: setup.model.name, messages: [{ role: "user", content: "hello" }], ...body }),
  });

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => sendJson(res, 500, {}));
  server = await startServer();
  // $2.50 in / $10 out per million tokens
  setup = await provision(server.admin, { baseUrl: upstream.baseUrl });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("openai-compatible upstream", () => {
  it("passes unknown fields both ways and bills the upstream's usage to the micro-dollar", async () => {
    upstream.handle((_req, res) =>
      sendJson(res, 200, completion("up-model-2025", "hi there", { prompt_tokens: 1234, completion_tokens: 567 }, { provider_extra: { region: "eu" } })),
    );
    const res = await call({ reasoning_effort: "low", custom_field: { nested: [1, 2, 3] }, temperature: 0.3 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.provider_extra).toEqual({ region: "eu" });
    expect(body.model).toBe("up-model-2025");

    const sent = upstream.received.at(-1)!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({ model: "up-model", reasoning_effort: "low", custom_field: { nested: [1, 2, 3] }, temperature: 0.3 });
    expect(sent.headers.authorization).toBe(`Bearer sk-upstream-secret-value-${setup.provider.name.slice(5)}`);

    const [row] = (await server.usageRows(1)).slice(-1);
    // 1234 × 2.5 + 567 × 10 = 3085 + 5670 = 8755 micro-USD
    expect(row).toMatchObject({ status: "ok", http_status: 200, prompt_tokens: 1234, completion_tokens: 567, cost_micros: 8755, served_model: setup.model.name, attempts: 1 });
  });

  it("streams chunk by chunk, asks for usage, and hides the usage chunk from a client that did not ask", async () => {
    upstream.handle(async (req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "" }, null, { usage: null }));
      for (const word of ["one", " two", " three"]) {
        send(chunk("up-model", { content: word }, null, { usage: null, provider_extra: 1 }));
        await new Promise((r) => setTimeout(r, 60));
      }
      send(chunk("up-model", {}, "stop", { usage: null }));
      if ((req.body?.stream_options as { include_usage?: boolean })?.include_usage) {
        send({ id: "x", object: "chat.completion.chunk", created: 1, model: "up-model", choices: [], usage: { prompt_tokens: 40, completion_tokens: 3, total_tokens: 43 } });
      }
      send("[DONE]");
      res.end();
    });
    const before = (await server.usageRows(1)).length;
    const res = await call({ stream: true });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const times: number[] = [];
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      times.push(Date.now());
      text += new TextDecoder().decode(value);
    }
    expect(upstream.received.at(-1)!.body!.stream_options).toEqual({ include_usage: true });
    expect(text).toContain('"provider_extra":1');
    expect(text).not.toContain('"prompt_tokens"');
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    // Three words 60 ms apart arrive as separate reads, not one buffered body.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(100);

    const rows = await server.usageRows(before + 1);
    // 40 × 2.5 + 3 × 10 = 100 + 30 = 130 micro-USD
    expect(rows.at(-1)).toMatchObject({ status: "ok", stream: 1, prompt_tokens: 40, completion_tokens: 3, cost_micros: 130 });
    expect(rows.at(-1)!.ttft_ms).not.toBeNull();
  });

  it("counts tokens itself when the upstream reports no usage", async () => {
    upstream.handle((_req, res) => sendJson(res, 200, completion("up-model", "The quick brown fox jumps over the lazy dog.", null)));
    const before = (await server.usageRows(2)).length;
    const res = await call({});
    expect(res.status).toBe(200);
    const rows = await server.usageRows(before + 1);
    const row = rows.at(-1)!;
    // o200k: "The quick brown fox jumps over the lazy dog." is 10 tokens.
    expect(row.completion_tokens).toBe(10);
    expect(row.prompt_tokens).toBeGreaterThan(0);
    expect(row.cost_micros).toBe(Math.round((Number(row.prompt_tokens) * 2.5 + 10 * 10)));
  });

  it("maps upstream failures to 502 and records them", async () => {
    upstream.handle((_req, res) => sendJson(res, 503, { error: { message: "overloaded", type: "server_error" } }));
    const before = (await server.usageRows(3)).length;
    const res = await call({});
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.error.type).toBe("upstream_error");
    const rows = await server.usageRows(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: "error", http_status: 502 });
    expect(rows).toHaveLength(before + 1);
  });

  it("does not follow an upstream redirect: a 502 that says where it points, sent once, and a user agent", async () => {
    const before = upstream.received.length;
    upstream.handle((_req, res) => {
      res.writeHead(301, { location: "https://elsewhere.example/v1/chat/completions" });
      res.end();
    });
    const res = await call({});
    expect(res.status).toBe(502);
    const body = await res.json();
    expect(body.error.message).toContain("redirect (HTTP 301 to https://elsewhere.example/v1/chat/completions)");
    expect(upstream.received.length - before).toBe(1);
    expect(upstream.received.at(-1)!.headers["user-agent"]).toBe("switchyard");

    // The connection test agrees with the chat call, in a fixed message that does not repeat the location.
    const tested = await (await server.admin(`/api/admin/providers/${setup.provider.id}/test`, { method: "POST" })).json();
    expect(tested).toMatchObject({ ok: false, status: 301, message: expect.stringContaining("redirects, and redirects are not followed") });
    expect(tested.message).not.toContain("elsewhere.example");
  });
});
