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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const createKey = async (json: Record<string, unknown>) => server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json });
const rotate = (id: string, json: unknown) => server.admin(`/api/admin/keys/${id}/rotate`, { method: "POST", json });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

/** Calls with the key until it is refused; the instant the refusal was asked for, and its answer. */
async function untilRefused(key: string, timeoutMs: number) {
  const since = Date.now();
  for (;;) {
    const sentAt = Date.now();
    const res = await complete(key);
    if (res.status !== 200) return { sentAt, ...res };
    if (Date.now() - since > timeoutMs) throw new Error("the key was never refused");
    await sleep(100);
  }
}

describe("key expiry", () => {
  it("takes an ISO date-time in the future, shows it and the status in the answer and the listing", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const res = await createKey({ name: "yearly", expiresAt });
    expect(res.status).toBe(201);
    const k = await res.json();
    expect(k).toMatchObject({ expiresAt, status: "active", replacedBy: null });

    const soon = await (await createKey({ name: "soon", expiresAt: inSeconds(3 * 86_400) })).json();
    expect(soon.status).toBe("expiring");
    const never = await (await createKey({ name: "never", expiresAt: null })).json();
    expect(never).toMatchObject({ expiresAt: null, status: "active" });

    const list = (await (await server.admin(`/api/admin/teams/${teamId}/keys`)).json()).data as Array<Record<string, unknown>>;
    expect(list.find((x) => x.id === k.id)).toMatchObject({ expiresAt, status: "active" });
    expect(list.find((x) => x.id === soon.id)).toMatchObject({ status: "expiring" });
    // An offset other than Z is the same instant.
    const offset = await (await createKey({ name: "offset", expiresAt: "2099-01-01T02:00:00+02:00" })).json();
    expect(offset.expiresAt).toBe("2099-01-01T00:00:00.000Z");
  });

  it("refuses an expiry in the past, without an offset, not a date or absurdly far, naming the field", async () => {
    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), "2099-01-01T00:00:00", "2099-01-01", "tomorrow", 1_900_000_000_000, "9999-01-01T00:00:00Z"]) {
      const res = await createKey({ name: "bad", expiresAt });
      expect(res.status, String(expiresAt)).toBe(400);
      expect((await res.json()).error, String(expiresAt)).toMatchObject({ type: "invalid_request_error", param: "expiresAt" });
    }
    const past = await (await createKey({ name: "bad", expiresAt: "2020-01-01T00:00:00Z" })).json();
    expect(past.error.message).toMatch(/must be in the future/);
  });

  it("refuses an expired key with 401 through /v1/chat/completions, though the server had it cached", async () => {
    const expiresAt = inSeconds(2);
    const k = await (await createKey({ name: "brief", expiresAt })).json();
    // Known to the server's cache from here on; nothing bumps its version before the expiry.
    expect((await complete(k.key)).status).toBe(200);
    const refused = await untilRefused(k.key, 15_000);
    expect(refused.sentAt).toBeGreaterThanOrEqual(Date.parse(expiresAt) - 50);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ type: "invalid_request_error", code: "expired_api_key" });
    expect(refused.body.error.message).toBe(`This API key expired at ${expiresAt}. Ask an admin for a new key.`);
    // Refused from then on, and listed as expired.
    expect((await complete(k.key)).status).toBe(401);
    expect((await (await server.admin(`/api/admin/keys/${k.id}`)).json()).status).toBe("expired");
    const models = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${k.key}` } });
    expect(models.status).toBe(401);
    expect((await models.json()).error.code).toBe("expired_api_key");
  });
});

describe("key rotation", () => {
  it("answers the new key once with what it replaces; the old key works through the grace period, then is refused", async () => {
    const old = await (await createKey({ name: "rotating", rpmLimit: 40 })).json();
    expect((await complete(old.key)).status).toBe(200);

    const res = await rotate(old.id, { graceSeconds: 3 });
    const answeredAt = Date.now();
    expect(res.status).toBe(201);
    const rotated = await res.json();
    expect(Object.keys(rotated).sort()).toEqual(
      ["createdAt", "expiresAt", "id", "key", "name", "oldKeyExpiresAt", "prefix", "replacedBy", "replaces", "revokedAt", "rpmLimit", "status", "teamId"].sort(),
    );
    expect(rotated).toMatchObject({ name: "rotating", rpmLimit: 40, teamId, replaces: old.id, expiresAt: null, status: "active", revokedAt: null });
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.key).toMatch(/^sk-sy-/);
    expect(rotated.key.startsWith(rotated.prefix)).toBe(true);
    const oldExpiry = Date.parse(rotated.oldKeyExpiresAt);
    expect(oldExpiry).toBeGreaterThan(answeredAt + 1_000);
    expect(oldExpiry).toBeLessThanOrEqual(answeredAt + 3_000);

    expect((await complete(rotated.key)).status).toBe(200);
    const during = Date.now();
    const oldDuring = await complete(old.key);
    if (during < oldExpiry - 200) expect(oldDuring.status).toBe(200);

    const list = (await (await server.admin(`/api/admin/teams/${teamId}/keys`)).json()).data as Array<Record<string, unknown>>;
    expect(list.find((x) => x.id === old.id)).toMatchObject({ status: "expiring", replacedBy: rotated.id, expiresAt: rotated.oldKeyExpiresAt, revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(rotated.key);

    const refused = await untilRefused(old.key, 15_000);
    expect(refused.sentAt).toBeGreaterThanOrEqual(oldExpiry - 50);
    expect(refused.sentAt).toBeLessThan(oldExpiry + 10_000);
    expect(refused.body.error.code).toBe("expired_api_key");
    expect(refused.body.error.message).toBe(`This API key was rotated and its grace period ended at ${rotated.oldKeyExpiresAt}. Use the key that replaced it.`);
    expect((await complete(rotated.key)).status).toBe(200);
    expect((await (await server.admin(`/api/admin/keys/${old.id}`)).json()).status).toBe("expired");
  });

  it("with graceSeconds 0 revokes the old key at once; the new one may have its own expiry", async () => {
    const old = await (await createKey({ name: "now" })).json();
    expect((await complete(old.key)).status).toBe(200);
    const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
    const rotated = await (await rotate(old.id, { graceSeconds: 0, expiresAt })).json();
    expect(rotated).toMatchObject({ replaces: old.id, expiresAt });
    const after = await complete(old.key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("invalid_api_key");
    expect((await complete(rotated.key)).status).toBe(200);
    const oldNow = await (await server.admin(`/api/admin/keys/${old.id}`)).json();
    expect(oldNow).toMatchObject({ status: "revoked", replacedBy: rotated.id, expiresAt: rotated.oldKeyExpiresAt });
    expect(oldNow.revokedAt).toBe(rotated.oldKeyExpiresAt);
  });

  it("validates the grace period and refuses keys that cannot be rotated", async () => {
    const k = await (await createKey({ name: "check" })).json();
    const cases: Array<[unknown, string]> = [
      [{}, "graceSeconds"],
      [{ graceSeconds: -1 }, "graceSeconds"],
      [{ graceSeconds: 1.5 }, "graceSeconds"],
      [{ graceSeconds: "60" }, "graceSeconds"],
      [{ graceSeconds: 30 * 86_400 + 1 }, "graceSeconds"],
      [{ graceSeconds: 60, expiresAt: "2001-01-01T00:00:00Z" }, "expiresAt"],
      [{ graceSeconds: 60, name: "renamed" }, "name"],
    ];
    for (const [json, param] of cases) {
      const res = await rotate(k.id, json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await res.json()).error.param, JSON.stringify(json)).toBe(param);
    }
    expect((await rotate(k.id, { graceSeconds: 30 * 86_400 })).status).toBe(201);

    // Rotated once: its replacement is what to rotate next.
    const again = await rotate(k.id, { graceSeconds: 60 });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already rotated/);

    const revoked = await (await createKey({ name: "gone" })).json();
    await (await server.admin(`/api/admin/keys/${revoked.id}`, { method: "DELETE" })).arrayBuffer();
    expect((await rotate(revoked.id, { graceSeconds: 60 })).status).toBe(409);
    const missing = await rotate("key_nope", { graceSeconds: 60 });
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
    expect(await statusOf(fetch(`${server.url}/api/admin/keys/${k.id}/rotate`, { method: "POST", body: JSON.stringify({ graceSeconds: 0 }) }))).toBe(401);
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

  it("stops accepting a key rotated through the first at the end of its grace period", async () => {
    const other = await startServer({ dir: server.dir });
    try {
      const old = await (await server.admin(`/api/admin/teams/${teamId}/keys`, { method: "POST", json: { name: "shared rotation" } })).json();
      const call = (key: string) =>
        fetch(`${other.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "sim-keys", messages: [{ role: "user", content: "hi" }] }),
        }).then(async (res) => ({ status: res.status, body: await res.json() }));
      expect((await call(old.key)).status).toBe(200);
      const rotated = await (await rotate(old.id, { graceSeconds: 2 })).json();
      expect((await call(rotated.key)).status).toBe(200);
      const oldExpiry = Date.parse(rotated.oldKeyExpiresAt);
      let refusedAt = 0;
      let last = { status: 200, body: {} as Record<string, any> };
      while (Date.now() < oldExpiry + 10_000) {
        const sentAt = Date.now();
        last = await call(old.key);
        if (last.status !== 200) {
          refusedAt = sentAt;
          break;
        }
        await sleep(100);
      }
      expect(last.status).toBe(401);
      expect(last.body.error.code).toBe("expired_api_key");
      expect(refusedAt).toBeGreaterThanOrEqual(oldExpiry - 50);
    } finally {
      await other.stop();
    }
  });
});
