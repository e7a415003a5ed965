import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

/** Status of a response whose body is read, so no connection is left busy when the server stops. */
async function statusOf(pending: Promise<Response>): Promise<number> {
  const res = await pending;
  await res.arrayBuffer();
  return res.status;
}

let server: TestServer;
let teamId: string;

beforeAll(async () => {
  server = await startServer();
  const provider = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "Simulator", kind: "simulator" } })).json();
  const model = await server.admin("/api/admin/models", {
    method: "POST",
    json: {
      name: "sim-keys",
      providerId: provider.id,
      upstreamModel: "sim-keys",
      inputPricePerMTok: 1,
      outputPricePerMTok: 2,
      simulator: { ttftMs: 0, tokensPerSecond: 100000 },
    },
  });
  expect(model.status).toBe(201);
  await model.arrayBuffer();
  teamId = (await (await server.admin("/api/admin/teams", { method: "POST", json: { name: "Key team" } })).json()).id;
});
afterAll(async () => {
  await server?.stop();
});

async function complete(key: string) {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sim-keys", messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: res.status, body: await res.json() };
}

describe("team API keys", () => {
  it("shows the key once, stores only its hash, lists without it", async () => {
    const res = await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "ci", rpmLimit: 30 } });
    expect(res.status).toBe(201);
    const k = await res.json();
    expect(k).toMatchObject({ name: "ci", rpmLimit: 30, teamId, revokedAt: null });
    expect(k.id).toMatch(/^key_[0-9a-f]+$/);
    expect(k.key).toMatch(/^sk-sy-/);
    expect(k.key.startsWith(k.prefix)).toBe(true);

    const row = server.db().prepare("select * from api_keys where id = ?").get(k.id) as Record<string, unknown>;
    expect(Object.values(row)).not.toContain(k.key);

    const listText = await (await server.admin(`/api/admin/teams/${teamId}/keys`)).text();
    expect(listText).not.toContain(k.key);
    const list = JSON.parse(listText);
    const { key: _key, ...withoutKey } = k;
    expect(list.data).toContainEqual(withoutKey);
  });

  it("stops working the moment it is revoked", async () => {
    const k = await (await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "to revoke" } })).json();
    expect((await complete(k.key)).status).toBe(200);

    const del = await server.admin(`/api/admin/keys/${k.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    const revoked = await del.json();
    expect(revoked).toMatchObject({ id: k.id, revoked: true });
    expect(typeof revoked.revokedAt).toBe("string");

    const after = await complete(k.key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_api_key");

    // Revoking again keeps the first instant.
    const again = await (await server.admin(`/api/admin/keys/${k.id}`, { method: "DELETE" })).json();
    expect(again.revokedAt).toBe(revoked.revokedAt);

    const list = await (await server.admin(`/api/admin/teams/${teamId}/keys`)).json();
    expect(list.data.find((x: { id: string }) => x.id === k.id).revokedAt).toBe(revoked.revokedAt);
  });

  it("validates input and answers 404 for unknown teams and keys", async () => {
    const bad = await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "x", scopes: ["all"] } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: "invalid_request_error", param: "scopes" });
    const noName = await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: {} });
    expect((await noName.json()).error.param).toBe("name");

    for (const res of [
      await server.admin("/api/admin/keys/key_nope", { method: "DELETE" }),
      await server.admin("/api/admin/teams/team_nope/keys"),
      await server.admin("/api/admin/teams/team_nope/keys", { method: "POST", json: { name: "x" } }),
    ]) {
      expect(res.status).toBe(404);
      expect((await res.json()).error.type).toBe("invalid_request_error");
    }
    expect(await statusOf(fetch(`${server.url}/api/admin/keys/key_nope`, { method: "DELETE" }))).toBe(401);
  });
});

describe("a second process on the same database", () => {
  it("stops accepting a key revoked through the first within seconds", async () => {
    const other = await startServer({ dir: server.dir });
    try {
      const { key, id } = await (await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "shared" } })).json();
      const call = () =>
        statusOf(fetch(`${other.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "sim-keys", messages: [{ role: "user", content: "hi" }] }),
        }));
      // Known to the second process, so it is in its cache when the first revokes it.
      expect(await call()).toBe(200);
      const revoked = await server.admin(`/api/admin/keys/${id}`, { method: "DELETE" });
      expect(revoked.status).toBe(200);
      await revoked.arrayBuffer();
      const since = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - since < 10_000) {
        status = await call();
        if (status === 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(401);
      // The cache is checked against the database every second; generous for a loaded machine.
      expect(Date.now() - since).toBeLessThan(5_000);
    } finally {
      await other.stop();
    }
  });
});
