/**
 * What an upstream writes does not carry the provider key to a team-key caller, in any encoding,
 * and "Test connection" shows the admin a fixed message, never the upstream's body.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { chunk, openSse, provision, sendJson, startUpstream, type TestUpstream, type UpstreamHandler } from "../../helpers/upstream";

const SUFFIX = "text01";
// What the provisioning helper sets as the provider's key for this suffix.
const KEY = `sk-upstream-secret-value-${SUFFIX}`;
const FORMS = {
  plain: KEY,
  "upper-cased": KEY.toUpperCase(),
  "URL-encoded": encodeURIComponent(`Bearer ${KEY}`).replace(/-/g, "%2D"),
  base64: Buffer.from(KEY).toString("base64"),
  "base64 of the header": Buffer.from(`Bearer ${KEY}`).toString("base64"),
};
const QUOTE = `Incorrect API key provided: ${Object.values(FORMS).join(" | ")}`;
const PASSWD = "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/usr/sbin/nologin\n";

let server: TestServer;
let upstream: TestUpstream;
let setup: Awaited<ReturnType<typeof provision>>;

const call = (body: Record<string, unknown> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: setup.model.name, messages: [{ role: "user", content: "hi" }], ...body }),
  });

function expectNoKey(text: string) {
  for (const [name, form] of Object.entries(FORMS)) expect(text.includes(form), `the key, ${name}`).toBe(false);
  expect(text.toLowerCase()).not.toContain(KEY.toLowerCase());
  expect(decodeURIComponent(text).toLowerCase()).not.toContain(KEY.toLowerCase());
}

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => sendJson(res, 500, {}));
  server = await startServer();
  setup = await provision(server.admin, { baseUrl: upstream.baseUrl, suffix: SUFFIX, providerSettings: { maxAttempts: 1 } });
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

const serve = (h: UpstreamHandler) => upstream.handle(h);

describe("upstream text passed on to callers", () => {
  it("a 400 that quotes the provider key reaches the team-key caller without it, in any form", async () => {
    serve((req, res) => {
      expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
      sendJson(res, 400, { error: { message: QUOTE, type: "invalid_request_error", code: `bad_key_${KEY}`, param: FORMS.base64 } });
    });
    const res = await call();
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error.message).toMatch(/^Incorrect API key provided: ••••/);
    expectNoKey(text);
  });

  it("an error event mid-stream that quotes the key is passed on without it", async () => {
    serve((_req, res) => {
      const send = openSse(res);
      send(chunk("up-model", { role: "assistant", content: "Hel" }));
      send({ error: { message: QUOTE, type: "server_error", code: KEY } });
      res.end();
    });
    const res = await call({ stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"Hel"');
    const events = text.split("\n\n").filter(Boolean);
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, ""));
    expect(last.error).toMatchObject({ type: "server_error", message: expect.stringMatching(/^Incorrect API key provided: ••••/) });
    expect(text).not.toContain("[DONE]");
    expectNoKey(text);
  });

  it("a redirect whose location carries the key is reported without it", async () => {
    serve((_req, res) => {
      res.writeHead(302, { location: `https://elsewhere.example/v1?key=${FORMS["URL-encoded"]}&b=${FORMS.base64}` });
      res.end(QUOTE);
    });
    const res = await call();
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text).error.message).toContain("https://elsewhere.example/v1?key=Bearer%20••••&b=••••");
    expectNoKey(text);
  });

  it("Test connection against an upstream that answers with a passwd file shows only the fixed message", async () => {
    serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(PASSWD);
    });
    const res = await server.admin(`/api/admin/providers/${setup.provider.id}/test`, { method: "POST" });
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      ok: false,
      status: 200,
      latencyMs: expect.any(Number),
      message: 'The answer is not an OpenAI-style model list ({"data":[{"id":…}]}). Check the base URL.',
    });
    expect(text).not.toContain("root:");

    serve((_req, res) => sendJson(res, 401, { error: { message: QUOTE } }));
    const refused = await (await server.admin(`/api/admin/providers/${setup.provider.id}/test`, { method: "POST" })).text();
    expect(JSON.parse(refused)).toMatchObject({ ok: false, status: 401, message: "The upstream refused the API key." });
    expectNoKey(refused);
  });
});
