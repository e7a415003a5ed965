import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

/** Status of a response whose body is read, so no connection is left busy when the server stops. */
async function statusOf(pending: Promise<Response>): Promise<number> {
  const res = await pending;
  await res.arrayBuffer();
  return res.status;
}

const UPSTREAM_KEY = "sk-upstream-secret-do-not-leak-4f2a";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

async function expectError(res: Response, status: number, param?: string | null, code?: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error.type).toBe(status >= 500 ? "server_error" : "invalid_request_error");
  expect(typeof body.error.message).toBe("string");
  if (param !== undefined) expect(body.error.param).toBe(param);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body.error;
}

describe("admin authentication", () => {
  it("refuses requests without a token or with a wrong one", async () => {
    await expectError(await fetch(`${server.url}/api/admin/providers`), 401, null, "unauthorized");
    await expectError(
      await fetch(`${server.url}/api/admin/providers`, { headers: { authorization: "Bearer not-the-admin-token" } }),
      401,
    );
    await expectError(
      await fetch(`${server.url}/api/admin/teams`, { method: "POST", headers: { authorization: "Basic abc" }, body: "{}" }),
      401,
    );
  });

  it("does not take a team API key as an admin token", async () => {
    const team = await (await server.admin("/api/admin/teams", { method: "POST", json: { name: "auth team" } })).json();
    const key = await (await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    await expectError(await fetch(`${server.url}/api/admin/teams`, { headers: { authorization: `Bearer ${key.key}` } }), 401);
  });
});

describe("request bodies", () => {
  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await server.admin("/api/admin/providers", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    await expectError(res, 400, null, "invalid_json");
  });

  it("answers a body over 1 MiB with 413", async () => {
    const res = await server.admin("/api/admin/providers", { method: "POST", json: { name: "x".repeat(1024 * 1024 + 10), kind: "simulator" } });
    await expectError(res, 413);
  });

  it("refuses unknown fields, naming them", async () => {
    const res = await server.admin("/api/admin/providers", { method: "POST", json: { name: "p", kind: "simulator", colour: "red" } });
    const err = await expectError(res, 400, "colour");
    expect(err.message).toContain("colour");
  });

  it("refuses a body that is not an object", async () => {
    await expectError(await server.admin("/api/admin/providers", { method: "POST", json: [1, 2] }), 400);
  });
});

describe("providers", () => {
  it("round-trips create, read, list, update and delete", async () => {
    const created = await server.admin("/api/admin/providers", {
      method: "POST",
      json: { name: "OpenAI", kind: "openai-compatible", baseUrl: "https://api.openai.com/v1", apiKey: UPSTREAM_KEY, settings: { maxAttempts: 2 } },
    });
    expect(created.status).toBe(201);
    const p = await created.json();
    expect(p).toMatchObject({ name: "OpenAI", kind: "openai-compatible", baseUrl: "https://api.openai.com/v1", apiKeyLast4: "4f2a" });
    expect(p.id).toMatch(/^prv_[0-9a-f]+$/);
    expect(p.settings.maxAttempts).toBe(2);
    expect(typeof p.settings.totalTimeoutMs).toBe("number");
    expect(new Date(p.createdAt).toISOString()).toBe(p.createdAt);

    const read = await server.admin(`/api/admin/providers/${p.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(p);

    const list = await (await server.admin("/api/admin/providers")).json();
    expect(list.data.map((x: { id: string }) => x.id)).toContain(p.id);

    const patched = await server.admin(`/api/admin/providers/${p.id}`, {
      method: "PATCH",
      json: { name: "OpenAI main", settings: { idleTimeoutMs: 5000, maxAttempts: null } },
    });
    expect(patched.status).toBe(200);
    const q = await patched.json();
    expect(q).toMatchObject({ name: "OpenAI main", apiKeyLast4: "4f2a", baseUrl: "https://api.openai.com/v1" });
    expect(q.settings.idleTimeoutMs).toBe(5000);
    expect(q.settings.maxAttempts).toBe(3); // back to the default

    const cleared = await (await server.admin(`/api/admin/providers/${p.id}`, { method: "PATCH", json: { apiKey: null } })).json();
    expect(cleared.apiKeyLast4).toBeNull();

    const del = await server.admin(`/api/admin/providers/${p.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: p.id, deleted: true });
    await expectError(await server.admin(`/api/admin/providers/${p.id}`), 404);
  });

  it("validates kind, baseUrl and settings", async () => {
    await expectError(await server.admin("/api/admin/providers", { method: "POST", json: { name: "a", kind: "carrier-pigeon" } }), 400, "kind");
    await expectError(await server.admin("/api/admin/providers", { method: "POST", json: { name: "a", kind: "openai-compatible" } }), 400, "baseUrl");
    await expectError(
      await server.admin("/api/admin/providers", { method: "POST", json: { name: "a", kind: "openai-compatible", baseUrl: "ftp://x.example" } }),
      400,
      "baseUrl",
    );
    await expectError(
      await server.admin("/api/admin/providers", { method: "POST", json: { name: "a", kind: "simulator", settings: { maxAttempts: 0 } } }),
      400,
      "settings.maxAttempts",
    );
    await expectError(
      await server.admin("/api/admin/providers", { method: "POST", json: { name: "a", kind: "simulator", settings: { retries: 2 } } }),
      400,
      "settings.retries",
    );
    await expectError(await server.admin("/api/admin/providers", { method: "POST", json: { kind: "simulator" } }), 400, "name");

    const sim = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim for kind change", kind: "simulator" } })).json();
    await expectError(await server.admin(`/api/admin/providers/${sim.id}`, { method: "PATCH", json: { kind: "openai-compatible" } }), 400, "baseUrl");
  });

  it("refuses base URLs that reach link-local, metadata, unspecified or multicast addresses, on create and on PATCH", async () => {
    const refused = [
      "http://169.254.169.254/latest/meta-data",
      "http://2852039166/",
      "http://0xa9.0xfe.0xa9.0xfe/",
      "http://0251.0376.0251.0376/",
      "http://[::ffff:169.254.169.254]/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[64:ff9b::a9fe:a9fe]/",
      "http://metadata.google.internal./",
      "http://[fd00:ec2::254]/",
      "http://100.100.100.200/",
      "http://192.0.0.192/",
      "http://168.63.129.16/",
      "http://0.0.0.0/",
      "http://0.1.2.3/",
      "http://224.0.0.1/",
      "http://[ff02::1]/",
      "http://[fe80::1]/",
    ];
    const existing = await (
      await server.admin("/api/admin/providers", { method: "POST", json: { name: "Local vLLM", kind: "openai-compatible", baseUrl: "http://127.0.0.1:8000/v1" } })
    ).json();
    for (const baseUrl of refused) {
      const created = await server.admin("/api/admin/providers", { method: "POST", json: { name: `ssrf ${baseUrl}`, kind: "openai-compatible", baseUrl } });
      expect((await expectError(created, 400, "baseUrl", "egress_denied")).message, baseUrl).toContain("may not call this base URL");
      await expectError(await server.admin(`/api/admin/providers/${existing.id}`, { method: "PATCH", json: { baseUrl } }), 400, "baseUrl", "egress_denied");
    }
    // Nothing refused was stored, and loopback and LAN addresses stay allowed.
    expect((await (await server.admin(`/api/admin/providers/${existing.id}`)).json()).baseUrl).toBe("http://127.0.0.1:8000/v1");
    const names = (await (await server.admin("/api/admin/providers")).json()).data.map((p: { name: string }) => p.name);
    expect(names.filter((n: string) => n.startsWith("ssrf "))).toEqual([]);
    for (const baseUrl of ["http://localhost:11434/v1", "http://192.168.1.20:8000/v1", "http://[::1]:8000/v1"]) {
      expect(await statusOf(server.admin(`/api/admin/providers/${existing.id}`, { method: "PATCH", json: { baseUrl } })), baseUrl).toBe(200);
    }
    expect(await statusOf(server.admin(`/api/admin/providers/${existing.id}`, { method: "DELETE" }))).toBe(200);
  });

  it("answers 409 for a duplicate name and for deleting a provider in use", async () => {
    const p = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "Sim A", kind: "simulator" } })).json();
    await expectError(await server.admin("/api/admin/providers", { method: "POST", json: { name: "Sim A", kind: "simulator" } }), 409, "name");
    const other = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "Sim B", kind: "simulator" } })).json();
    await expectError(await server.admin(`/api/admin/providers/${other.id}`, { method: "PATCH", json: { name: "Sim A" } }), 409, "name");

    const model = await server.admin("/api/admin/models", {
      method: "POST",
      json: { name: "uses-sim-a", providerId: p.id, upstreamModel: "x", inputPricePerMTok: 1, outputPricePerMTok: 2 },
    });
    expect(model.status).toBe(201);
    await expectError(await server.admin(`/api/admin/providers/${p.id}`, { method: "DELETE" }), 409);
    const { id: modelId } = await model.json();
    expect(await statusOf(server.admin(`/api/admin/models/${modelId}`, { method: "DELETE" }))).toBe(200);
    expect(await statusOf(server.admin(`/api/admin/providers/${p.id}`, { method: "DELETE" }))).toBe(200);
  });

  it("answers 404 in OpenAI shape for unknown ids", async () => {
    await expectError(await server.admin("/api/admin/providers/prv_nope"), 404, null, "not_found");
    await expectError(await server.admin("/api/admin/providers/prv_nope", { method: "PATCH", json: { name: "x" } }), 404);
    await expectError(await server.admin("/api/admin/providers/prv_nope", { method: "DELETE" }), 404);
  });

  it("never returns the provider key nor stores it in clear", async () => {
    const created = await server.admin("/api/admin/providers", {
      method: "POST",
      json: { name: "Leak check", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1", apiKey: UPSTREAM_KEY },
    });
    const createdText = await created.text();
    const { id } = JSON.parse(createdText);
    const texts = [
      createdText,
      await (await server.admin(`/api/admin/providers/${id}`)).text(),
      await (await server.admin("/api/admin/providers")).text(),
      await (await server.admin(`/api/admin/providers/${id}`, { method: "PATCH", json: { name: "Leak check 2" } })).text(),
    ];
    for (const t of texts) expect(t).not.toContain(UPSTREAM_KEY);

    const row = server.db().prepare("select api_key_ciphertext from providers where id = ?").get(id) as { api_key_ciphertext: string };
    expect(row.api_key_ciphertext).toBeTruthy();
    expect(row.api_key_ciphertext).not.toContain(UPSTREAM_KEY);
    // The WAL holds recent pages, so search it as well as the main file.
    for (const file of [server.dbPath, `${server.dbPath}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from(UPSTREAM_KEY))).toBe(false);
    }
  });
});
