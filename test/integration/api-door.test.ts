/**
 * The OpenAI-compatible door is served twice over the same gateway: natively by the custom server
 * (lib/server/api-door.ts, node's request and response) and by the Next.js route handlers under
 * app/api/v1 (web Request and Response). The same requests through both must get the same status,
 * headers and bodies, apart from what differs by nature (ids, timestamps).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as chatRoute } from "@/app/api/v1/chat/completions/route";
import { POST as embeddingsRoute } from "@/app/api/v1/embeddings/route";
import { GET as modelsRoute } from "@/app/api/v1/models/route";
import { POST as responsesRoute } from "@/app/api/v1/responses/route";
import { parseEnv } from "@/lib/env";
import { apiPath, createApiDoor } from "@/lib/server/api-door";
import { createRuntime, installRuntime, type Runtime } from "@/lib/server/runtime";

let dir: string;
let runtime: Runtime;
let server: Server;
let base: string;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-door-"));
  runtime = await createRuntime(
    parseEnv({ NODE_ENV: "test", DATABASE_PATH: join(dir, "db.sqlite"), SWITCHYARD_SECRET: "test-secret-0123456789abcdef0123", SWITCHYARD_ADMIN_TOKEN: "test-admin-token-0123456789abcdef", SWITCHYARD_LOG_LEVEL: "error", SWITCHYARD_MAX_BODY_BYTES: "4096" }),
  );
  installRuntime(runtime);
  key = /Demo API key \(shown once\): (\S+)/.exec(runtime.banner.join("\n"))![1]!;
  const door = createApiDoor(runtime.gateway, runtime.log);
  server = createServer((req, res) => {
    const path = apiPath(req.url);
    if (path === null) return void res.writeHead(404).end();
    door(path, req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await runtime?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Different on every request whichever door it takes; and content-length, which node adds to a
// whole body while a web Response leaves it to the server.
const VOLATILE_HEADERS = new Set(["x-request-id", "date", "content-length", "connection", "keep-alive", "transfer-encoding"]);

function normalize(a: Answer): Answer {
  const headers = Object.fromEntries(Object.entries(a.headers).filter(([k]) => !VOLATILE_HEADERS.has(k)).sort(([x], [y]) => x.localeCompare(y)));
  const body = a.body
    .replace(/chatcmpl-[0-9a-f]+/g, "chatcmpl-ID")
    .replace(/"created":\d+/g, '"created":0')
    // The Responses door's ids come from the request id.
    .replace(/\b(resp|msg|fc|rs)_[0-9a-f]{32}/g, "$1_ID")
    .replace(/"(created_at|completed_at)":\d+/g, '"$1":0');
  return { status: a.status, headers, body };
}

async function read(res: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
}

/** The same request through the native door (over HTTP) and through the route handler (called directly). */
const ROUTES = { "/chat/completions": chatRoute, "/embeddings": embeddingsRoute, "/models": modelsRoute, "/responses": responsesRoute };

async function both(method: "GET" | "POST", path: keyof typeof ROUTES, init: { headers?: Record<string, string>; body?: string } = {}) {
  const native = await read(await fetch(`${base}/v1${path}`, { method, headers: init.headers, body: init.body }));
  const request = new Request(`http://switchyard.test/api/v1${path}`, { method, headers: init.headers, body: init.body });
  const handler = await read(await ROUTES[path](request));
  return { native: normalize(native), handler: normalize(handler) };
}

const json = (body: unknown, auth = true) => ({
  headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${key}` } : {}) },
  body: JSON.stringify(body),
});

describe("both doors answer alike", () => {
  it("GET /models", async () => {
    const { native, handler } = await both("GET", "/models", { headers: { authorization: `Bearer ${key}` } });
    expect(native.status).toBe(200);
    expect(JSON.parse(native.body).data.map((m: { id: string }) => m.id)).toContain("sim-fast");
    expect(handler).toEqual(native);
  });

  it("a completion", async () => {
    const { native, handler } = await both("POST", "/chat/completions", json({ model: "sim-fast", messages: [{ role: "user", content: "Say hello" }] }));
    expect(native.status).toBe(200);
    expect(JSON.parse(native.body).choices[0].message.content.length).toBeGreaterThan(0);
    expect(handler).toEqual(native);
  });

  it("a stream with usage", async () => {
    const body = { model: "sim-fast", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Count to five" }] };
    const { native, handler } = await both("POST", "/chat/completions", json(body));
    expect(native.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(native.body.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(native.body).toContain('"usage":{"prompt_tokens"');
    expect(handler).toEqual(native);
  });

  it("embeddings, as floats and as base64", async () => {
    for (const encoding_format of ["float", "base64"]) {
      const { native, handler } = await both("POST", "/embeddings", json({ model: "sim-embed", input: ["the cat sat", "quarterly tax report"], encoding_format }));
      expect(native.status).toBe(200);
      const body = JSON.parse(native.body);
      expect(body).toMatchObject({ object: "list", model: "sim-embed", usage: { prompt_tokens: expect.any(Number) } });
      expect(body.data).toHaveLength(2);
      expect(handler).toEqual(native);
    }
  });

  it.each([
    ["empty input", () => json({ model: "sim-embed", input: [] }), 400],
    ["a chat model", () => json({ model: "sim-fast", input: "x" }), 400],
    ["body over the cap", () => json({ model: "sim-embed", input: Array.from({ length: 100 }, () => "x".repeat(50)) }), 413],
  ])("an embeddings error: %s", async (_name, init, status) => {
    const { native, handler } = await both("POST", "/embeddings", init());
    expect(native.status).toBe(status);
    expect(JSON.parse(native.body).error).toMatchObject({ message: expect.any(String), type: "invalid_request_error" });
    expect(handler).toEqual(native);
  });

  it.each([
    ["no key", () => json({ model: "sim-fast", messages: [{ role: "user", content: "x" }] }, false), 401],
    ["invalid body", () => json({ model: "sim-fast", messages: [] }), 400],
    ["not JSON", () => ({ headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{" }), 400],
    ["unknown model", () => json({ model: "nope", messages: [{ role: "user", content: "x" }] }), 404],
    ["body over the cap", () => json({ model: "sim-fast", messages: [{ role: "user", content: "x".repeat(5000) }] }), 413],
  ])("an error: %s", async (_name, init, status) => {
    const { native, handler } = await both("POST", "/chat/completions", init());
    expect(native.status).toBe(status);
    expect(JSON.parse(native.body).error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    expect(handler).toEqual(native);
  });
});

describe("both doors answer the Responses API alike", () => {
  it("a response", async () => {
    const { native, handler } = await both("POST", "/responses", json({ model: "sim-fast", instructions: "Be brief.", input: "Say hello" }));
    expect(native.status).toBe(200);
    const body = JSON.parse(native.body);
    expect(body).toMatchObject({ id: "resp_ID", object: "response", status: "completed", model: "sim-fast", output: [{ type: "message", id: "msg_ID_0" }] });
    expect(body.output[0].content[0].text.length).toBeGreaterThan(0);
    expect(handler).toEqual(native);
  });

  it("a stream", async () => {
    const { native, handler } = await both("POST", "/responses", json({ model: "sim-fast", stream: true, input: [{ role: "user", content: "Count to five" }] }));
    expect(native.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(native.body.startsWith("event: response.created\ndata: ")).toBe(true);
    expect(native.body).toMatch(/event: response\.completed\ndata: .*"usage":\{"input_tokens":\d+/);
    expect(handler).toEqual(native);
  });

  it.each([
    ["store: true", () => json({ model: "sim-fast", input: "x", store: true }), 400],
    ["an unknown item type", () => json({ model: "sim-fast", input: [{ type: "web_search_call", id: "ws_1" }] }), 400],
    ["unknown model", () => json({ model: "nope", input: "x" }), 404],
    ["body over the cap", () => json({ model: "sim-fast", input: "x".repeat(5000) }), 413],
  ])("an error: %s", async (_name, init, status) => {
    const { native, handler } = await both("POST", "/responses", init());
    expect(native.status).toBe(status);
    expect(JSON.parse(native.body).error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    expect(handler).toEqual(native);
  });
});

describe("the native door", () => {
  it("answers unknown paths and wrong methods in the OpenAI error shape", async () => {
    const unknown = await fetch(`${base}/v1/embeddingz`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("unknown_url");
    const wrong = await fetch(`${base}/api/v1/chat/completions`, { method: "GET" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});
