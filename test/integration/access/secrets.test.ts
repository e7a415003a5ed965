/**
 * Secrets stay secret: the upstream provider key, a team API key, the admin token and a person's
 * password never come back in an answer, never reach the logs, and are never stored in clear.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "@/lib/secrets";
import { ADMIN_TOKEN, type TestServer } from "../../helpers/server";
import { chunk, completion, openSse, sendJson, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { adminJson, call, createPerson, trySignIn, startAccessServer, userMessage } from "./helpers";

const token = (prefix: string) => `${prefix}${randomBytes(18).toString("base64url")}`;
const PROVIDER_KEY = token("sk-upstream-");
const SERVER_SECRET = token("server-secret-");
const PASSWORD = token("pw-");
const NEW_PASSWORD = token("pw2-");
/** Not a secret to store (conversations are kept), but what people type stays out of the logs. */
const PROMPT = token("what-i-typed-");

let dir: string;
let server: TestServer;
let upstream: TestUpstream;
let teamKey: string;
let keyCreationAnswer: string;
let refuseKey = true;
/** Every answer body the API gave in this file, labelled with its request. */
const answers: Array<{ request: string; body: string }> = [];

async function record(request: string, pending: Promise<Response>): Promise<{ status: number; body: string }> {
  const res = await pending;
  const body = await res.text();
  answers.push({ request: `${request} → ${res.status}`, body });
  return { status: res.status, body };
}

const secrets = () => ({ PROVIDER_KEY, SERVER_SECRET, PASSWORD, NEW_PASSWORD, ADMIN_TOKEN, teamKey, "team key without its display prefix": teamKey.slice(10) });

function databaseBytes(): Buffer {
  const files = [server.dbPath, `${server.dbPath}-wal`, `${server.dbPath}-journal`].filter(existsSync);
  return Buffer.concat(files.map((f) => readFileSync(f)));
}

function expectAbsent(haystack: Buffer | string, where: string) {
  for (const [name, value] of Object.entries(secrets())) {
    expect(haystack.indexOf(value), `${name} found in ${where}`).toBe(-1);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-secrets-"));
  upstream = await startUpstream(async (req, res) => {
    if (req.path.endsWith("/models")) {
      // Some upstreams quote the key they were sent back in their error message.
      if (refuseKey) return sendJson(res, 401, { error: { message: `Incorrect API key provided: ${req.headers.authorization}`, type: "invalid_request_error" } });
      return sendJson(res, 200, { object: "list", data: [{ id: "up", object: "model" }] });
    }
    if (req.body?.model === "broken") return sendJson(res, 500, { error: { message: "upstream fell over", type: "server_error" } });
    if (!req.body?.stream) return sendJson(res, 200, completion("up", "Hello there.", { prompt_tokens: 5, completion_tokens: 2 }));
    const send = openSse(res);
    send(chunk("up", { role: "assistant", content: "Hello" }));
    send(chunk("up", { content: " there." }, "stop"));
    send({ id: "x", object: "chat.completion.chunk", created: 1, model: "up", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
    send("[DONE]");
    res.end();
  });
  server = await startAccessServer({ dir, env: { SWITCHYARD_LOG_LEVEL: "debug", SWITCHYARD_SECRET: SERVER_SECRET } });
});
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("secrets", () => {
  it("are used, but never answered, logged or stored in clear", async () => {
    // Setup through the admin API, every answer kept.
    const provider = JSON.parse(
      (
        await record(
          "POST provider",
          server.admin("/api/admin/providers", {
            method: "POST",
            json: { name: "Upstream", kind: "openai-compatible", baseUrl: upstream.baseUrl, apiKey: PROVIDER_KEY, settings: { maxAttempts: 1 } },
          }),
        )
      ).body,
    );
    expect(provider.apiKeyLast4).toBe(PROVIDER_KEY.slice(-4));
    for (const [name, upstreamModel] of [["acc-up", "up"], ["acc-broken", "broken"]]) {
      await record(
        "POST model",
        server.admin("/api/admin/models", { method: "POST", json: { name, providerId: provider.id, upstreamModel, inputPricePerMTok: 1, outputPricePerMTok: 2 } }),
      );
    }
    const team = JSON.parse((await record("POST team", server.admin("/api/admin/teams", { method: "POST", json: { name: "Secret team" } }))).body);
    const keyRes = await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "ci" } });
    keyCreationAnswer = await keyRes.text();
    const key = JSON.parse(keyCreationAnswer);
    teamKey = key.key;
    expect(teamKey).toMatch(/^sk-/);
    const person = await createPerson(server, { email: "person@secrets.test", password: PASSWORD, role: "member", teamIds: [team.id] });

    // Signing in, right and wrong.
    const wrong = await trySignIn(server, person.email, `${PASSWORD}-wrong`);
    answers.push({ request: `sign-in, wrong password → ${wrong.status}`, body: wrong.body });
    expect(wrong.cookie).toBeNull();
    const signedIn = await trySignIn(server, person.email, PASSWORD);
    answers.push({ request: `sign-in → ${signedIn.status}`, body: signedIn.body });
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.cookie!;

    // The gateway with the team key: success, streaming, an upstream failure, a wrong key.
    const v1 = (body: Record<string, unknown>, bearer = teamKey) =>
      call(server, "/v1/chat/completions", { method: "POST", bearer, origin: null, json: { messages: [{ role: "user", content: "hi" }], ...body } });
    expect((await record("chat completion", v1({ model: "acc-up" }))).status).toBe(200);
    expect((await record("streamed chat completion", v1({ model: "acc-up", stream: true }))).status).toBe(200);
    expect((await record("chat completion, upstream 500", v1({ model: "acc-broken" }))).status).toBeGreaterThanOrEqual(500);
    expect((await record("chat completion, wrong key", v1({ model: "acc-up" }, `${teamKey.slice(0, -4)}AAAA`))).status).toBe(401);
    await record("v1 models", call(server, "/v1/models", { bearer: teamKey }));
    expect(upstream.received.length).toBeGreaterThan(0);
    expect(upstream.received.every((r) => r.headers.authorization === `Bearer ${PROVIDER_KEY}`)).toBe(true);

    // The browser's door.
    await record("GET /api/me", call(server, "/api/me", { cookie }));
    await record("GET /api/me/models", call(server, "/api/me/models", { cookie }));
    const conv = JSON.parse((await record("POST conversation", call(server, "/api/conversations", { method: "POST", cookie, json: { model: "acc-up" } }))).body);
    const chat = await record("POST /api/chat", call(server, "/api/chat", { method: "POST", cookie, json: { id: conv.id, messages: [userMessage(PROMPT)] } }));
    expect(chat.body).toContain("text-delta");
    await record("POST /api/chat, upstream 500", call(server, "/api/chat", { method: "POST", cookie, json: { id: conv.id, model: "acc-broken", messages: [userMessage(PROMPT)] } }));
    await record("GET conversation", call(server, `/api/conversations/${conv.id}`, { cookie }));
    await record("GET conversations", call(server, "/api/conversations", { cookie }));

    // Testing the connection says the key was refused, in its own words: not the upstream's, which quote the key.
    const refused = JSON.parse((await record("POST provider test, key refused", server.admin(`/api/admin/providers/${provider.id}/test`, { method: "POST" }))).body);
    expect(refused).toMatchObject({ ok: false, status: 401, message: "The upstream refused the API key." });
    refuseKey = false;
    expect(JSON.parse((await record("POST provider test", server.admin(`/api/admin/providers/${provider.id}/test`, { method: "POST" }))).body)).toMatchObject({
      ok: true,
      status: 200,
      modelCount: 1,
      models: ["up"],
    });

    // Every admin read, and writes that touch the secrets.
    await record("PATCH provider", server.admin(`/api/admin/providers/${provider.id}`, { method: "PATCH", json: { name: "Upstream 2" } }));
    await record("PATCH user password", server.admin(`/api/admin/users/${person.id}`, { method: "PATCH", json: { password: NEW_PASSWORD } }));
    for (const path of [
      "/api/admin/providers",
      `/api/admin/providers/${provider.id}`,
      "/api/admin/models",
      "/api/admin/teams",
      `/api/admin/teams/${team.id}`,
      `/api/admin/teams/${team.id}/keys`,
      `/api/admin/keys/${key.id}`,
      "/api/admin/events?limit=500",
      "/api/admin/users",
      `/api/admin/users/${person.id}`,
      "/api/admin/routes",
    ]) {
      const { status } = await record(`GET ${path}`, server.admin(path));
      expect(status, path).toBe(200);
    }
    await record("DELETE key", server.admin(`/api/admin/keys/${key.id}`, { method: "DELETE" }));

    // The key is shown exactly once, in the answer that created it.
    expect(keyCreationAnswer).toContain(teamKey);
    for (const { request, body } of answers) expectAbsent(body, `the answer to ${request}`);

    expectAbsent(server.output(), "the server's output");
    expect(server.output()).not.toContain(PROMPT);
    expectAbsent(databaseBytes(), "the database files while running");

    // What is stored instead: a hash, a ciphertext, a password hash.
    const db = server.db();
    const keyRow = db.prepare("select key_hash, prefix from api_keys where id = ?").get(key.id) as { key_hash: string; prefix: string };
    expect(keyRow.key_hash).toBe(createHash("sha256").update(teamKey).digest("hex"));
    expect(teamKey.startsWith(keyRow.prefix)).toBe(true);
    expect(keyRow.prefix.length).toBeLessThanOrEqual(12);
    const providerRow = db.prepare("select api_key_ciphertext, api_key_last4 from providers where id = ?").get(provider.id) as Record<string, string>;
    expect(providerRow.api_key_ciphertext).toMatch(/^v1\./);
    expect(decryptSecret(providerRow.api_key_ciphertext!, SERVER_SECRET)).toBe(PROVIDER_KEY);
    const account = db.prepare("select password from accounts where user_id = ?").get(person.id) as { password: string };
    expect(account.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(db.prepare("select count(*) as n from settings where value like ?").get(`%${ADMIN_TOKEN}%`)).toEqual({ n: 0 });

    // After a clean stop the WAL is folded into the database file; still nothing in clear.
    await server.stop();
    expectAbsent(databaseBytes(), "the database files after stopping");
    expectAbsent(server.output(), "the server's output after stopping");
  });
});
