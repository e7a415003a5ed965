import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

/** Status of a response whose body is read, so no connection is left busy when the server stops. */
async function statusOf(pending: Promise<Response>): Promise<number> {
  const res = await pending;
  await res.arrayBuffer();
  return res.status;
}

let server: TestServer;
let providerId: string;

beforeAll(async () => {
  server = await startServer();
  const res = await server.admin("/api/admin/providers", { method: "POST", json: { name: "Simulator", kind: "simulator" } });
  providerId = (await res.json()).id;
});
afterAll(async () => {
  await server?.stop();
});

const base = () => ({ providerId, upstreamModel: "sim-balanced", inputPricePerMTok: 1, outputPricePerMTok: 4 });

async function create(body: Record<string, unknown>) {
  return server.admin("/api/admin/models", { method: "POST", json: { ...base(), ...body } });
}

async function expectError(res: Response, status: number, param?: string | null) {
  expect(res.status).toBe(status);
  const { error } = await res.json();
  expect(error.type).toBe("invalid_request_error");
  if (param !== undefined) expect(error.param).toBe(param);
  return error;
}

describe("models", () => {
  it("round-trips create, read, list, update and delete", async () => {
    const res = await create({
      name: "m-one",
      inputPricePerMTok: 0.15,
      outputPricePerMTok: 0.6,
      maxOutputTokens: 512,
      rpmLimit: 100,
      simulator: { ttftMs: 5, tokensPerSecond: 1000 },
    });
    expect(res.status).toBe(201);
    const m = await res.json();
    expect(m).toMatchObject({
      name: "m-one",
      providerId,
      upstreamModel: "sim-balanced",
      inputPricePerMTok: 0.15,
      outputPricePerMTok: 0.6,
      maxOutputTokens: 512,
      rpmLimit: 100,
      tpmLimit: null,
      fallbacks: [],
      endpoints: ["chat"],
      simulator: { ttftMs: 5, tokensPerSecond: 1000 },
      breaker: { state: "closed", failureRate: 0, requests: 0, failures: 0, openedAt: null, nextProbeAt: null },
    });
    expect(m.id).toMatch(/^mdl_[0-9a-f]+$/);

    const row = server.db().prepare("select input_micros_per_mtok, output_micros_per_mtok from models where id = ?").get(m.id);
    expect(row).toEqual({ input_micros_per_mtok: 150_000, output_micros_per_mtok: 600_000 });

    expect(await (await server.admin(`/api/admin/models/${m.id}`)).json()).toEqual(m);
    const list = await (await server.admin("/api/admin/models")).json();
    expect(list.data.map((x: { name: string }) => x.name)).toContain("m-one");

    const patched = await server.admin(`/api/admin/models/${m.id}`, { method: "PATCH", json: { outputPricePerMTok: 0.8, rpmLimit: null, simulator: null } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ inputPricePerMTok: 0.15, outputPricePerMTok: 0.8, rpmLimit: null, simulator: null, maxOutputTokens: 512 });

    const del = await server.admin(`/api/admin/models/${m.id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ id: m.id, deleted: true });
    await expectError(await server.admin(`/api/admin/models/${m.id}`), 404);
    await expectError(await server.admin(`/api/admin/models/${m.id}`, { method: "DELETE" }), 404);
  });

  it("is served by the gateway right after it is created", async () => {
    await create({ name: "m-live", simulator: { ttftMs: 0, tokensPerSecond: 100000 } });
    const team = await (await server.admin("/api/admin/teams", { method: "POST", json: { name: "model team" } })).json();
    const { key } = await (await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    const listed = await (await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json();
    expect(listed.data.map((x: { id: string }) => x.id)).toContain("m-live");
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m-live", messages: [{ role: "user", content: "hello" }] }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBeTruthy();
  });

  it("validates fields", async () => {
    await expectError(await create({ name: "has space" }), 400, "name");
    await expectError(await create({ name: "x".repeat(129) }), 400, "name");
    await expectError(await create({ name: "neg", inputPricePerMTok: -1 }), 400, "inputPricePerMTok");
    await expectError(await create({ name: "str-price", outputPricePerMTok: "1" }), 400, "outputPricePerMTok");
    await expectError(await create({ name: "bad-prov", providerId: "prv_missing" }), 400, "providerId");
    await expectError(await create({ name: "bad-sim", simulator: { errorRate: 2 } }), 400, "simulator.errorRate");
    await expectError(await create({ name: "bad-sim2", simulator: { speed: 2 } }), 400, "simulator.speed");
    await expectError(await create({ name: "bad-limit", tpmLimit: 1.5 }), 400, "tpmLimit");
    const err = await expectError(await create({ name: "extra", temperature: 1 }), 400, "temperature");
    expect(err.message).toContain("temperature");
  });

  it("checks fallbacks and keeps them consistent on rename and delete", async () => {
    await expectError(await create({ name: "fb-a", fallbacks: ["nope"] }), 400, "fallbacks");
    await expectError(await create({ name: "fb-a", fallbacks: ["fb-a"] }), 400, "fallbacks");

    const a = await (await create({ name: "fb-a" })).json();
    const b = await (await create({ name: "fb-b", fallbacks: ["fb-a"] })).json();
    expect(b.fallbacks).toEqual(["fb-a"]);
    await expectError(await server.admin(`/api/admin/models/${a.id}`, { method: "PATCH", json: { fallbacks: ["fb-a"] } }), 400, "fallbacks");

    const renamed = await (await server.admin(`/api/admin/models/${a.id}`, { method: "PATCH", json: { name: "fb-a2" } })).json();
    expect(renamed.name).toBe("fb-a2");
    expect((await (await server.admin(`/api/admin/models/${b.id}`)).json()).fallbacks).toEqual(["fb-a2"]);

    expect(await statusOf(server.admin(`/api/admin/models/${a.id}`, { method: "DELETE" }))).toBe(200);
    expect((await (await server.admin(`/api/admin/models/${b.id}`)).json()).fallbacks).toEqual([]);
  });

  it("carries a rename into teams' allowed lists and takes a deleted model off them", async () => {
    const kept = await (await create({ name: "al-kept" })).json();
    const gone = await (await create({ name: "al-gone" })).json();
    const team = await (await server.admin("/api/admin/teams", { method: "POST", json: { name: "allowed-list team", allowedModels: ["al-kept", "al-gone"] } })).json();
    const allowed = async () => (await (await server.admin(`/api/admin/teams/${team.id}`)).json()).allowedModels;

    expect(await statusOf(server.admin(`/api/admin/models/${kept.id}`, { method: "PATCH", json: { name: "al-kept2" } }))).toBe(200);
    expect(await allowed()).toEqual(["al-kept2", "al-gone"]);

    expect(await statusOf(server.admin(`/api/admin/models/${gone.id}`, { method: "DELETE" }))).toBe(200);
    expect(await allowed()).toEqual(["al-kept2"]);
    // A model made again under the old name is not allowed by accident.
    await create({ name: "al-gone" });
    expect(await allowed()).toEqual(["al-kept2"]);
  });

  it("keeps model names and route aliases apart", async () => {
    const control = await (await create({ name: "rt-control" })).json();
    const route = await server.admin("/api/admin/routes", { method: "POST", json: { name: "rt-alias", control: "rt-control" } });
    expect(route.status).toBe(201);
    const { id: routeId } = await route.json();

    const shadow = await expectError(await create({ name: "rt-alias" }), 400, "name");
    expect(shadow.code).toBe("shadows_route");
    await expectError(await server.admin(`/api/admin/models/${control.id}`, { method: "DELETE" }), 409);
    await expectError(await server.admin(`/api/admin/models/${control.id}`, { method: "PATCH", json: { name: "rt-control-2" } }), 409);
    // Other changes to a model a route uses are fine.
    expect(await statusOf(server.admin(`/api/admin/models/${control.id}`, { method: "PATCH", json: { outputPricePerMTok: 5 } }))).toBe(200);

    expect(await statusOf(server.admin(`/api/admin/routes/${routeId}`, { method: "DELETE" }))).toBe(200);
    expect(await statusOf(server.admin(`/api/admin/models/${control.id}`, { method: "DELETE" }))).toBe(200);
  });

  it("says which endpoints a model serves: chat by default, validated, and in /v1/models", async () => {
    const both = await (await create({ name: "ep-both", endpoints: ["embeddings", "chat"] })).json();
    // Stored and shown in one order, whatever order they were given in.
    expect(both.endpoints).toEqual(["chat", "embeddings"]);
    expect(server.db().prepare("select endpoints from models where id = ?").get(both.id)).toEqual({ endpoints: '["chat","embeddings"]' });
    const patched = await (await server.admin(`/api/admin/models/${both.id}`, { method: "PATCH", json: { endpoints: ["embeddings"] } })).json();
    expect(patched.endpoints).toEqual(["embeddings"]);

    await expectError(await create({ name: "ep-none", endpoints: [] }), 400, "endpoints");
    await expectError(await create({ name: "ep-dup", endpoints: ["chat", "chat"] }), 400, "endpoints");
    await expectError(await create({ name: "ep-bad", endpoints: ["chat", "images"] }), 400, "endpoints[1]");
    await expectError(await create({ name: "ep-str", endpoints: "chat" }), 400, "endpoints");
    await expectError(await server.admin(`/api/admin/models/${both.id}`, { method: "PATCH", json: { endpoints: [] } }), 400, "endpoints");

    await create({ name: "ep-chat" });
    await server.admin("/api/admin/routes", { method: "POST", json: { name: "ep-route", control: "ep-both" } });
    const team = await (await server.admin("/api/admin/teams", { method: "POST", json: { name: "endpoints team" } })).json();
    const { key } = await (await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    const listed = await (await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json();
    const byId = new Map(listed.data.map((m: { id: string }) => [m.id, m]));
    expect(byId.get("ep-chat")).toEqual({ id: "ep-chat", object: "model", created: expect.any(Number), owned_by: "Simulator", endpoints: ["chat"] });
    expect(byId.get("ep-both")).toMatchObject({ endpoints: ["embeddings"] });
    // A route lists its control model's endpoints.
    expect(byId.get("ep-route")).toMatchObject({ owned_by: "switchyard-route", endpoints: ["embeddings"] });
  });

  it("refuses embeddings on a provider kind without them (Anthropic), naming endpoints", async () => {
    const anthropic = await (
      await server.admin("/api/admin/providers", { method: "POST", json: { name: "claude", kind: "anthropic", baseUrl: "https://api.anthropic.com", apiKey: "sk-ant-test" } })
    ).json();
    const refused = await expectError(await create({ name: "claude-embed", providerId: anthropic.id, endpoints: ["embeddings"] }), 400, "endpoints");
    expect(refused.message).toBe("Providers of kind 'anthropic' do not serve embeddings; remove it from 'endpoints' or pick another provider.");
    const claude = await (await create({ name: "claude-chat", providerId: anthropic.id })).json();
    expect(claude.endpoints).toEqual(["chat"]);
    await expectError(await server.admin(`/api/admin/models/${claude.id}`, { method: "PATCH", json: { endpoints: ["chat", "embeddings"] } }), 400, "endpoints");

    // Moving an embeddings model onto that provider, or turning its provider into one, is refused too.
    const embed = await (await create({ name: "sim-embedder", endpoints: ["embeddings"] })).json();
    await expectError(await server.admin(`/api/admin/models/${embed.id}`, { method: "PATCH", json: { providerId: anthropic.id } }), 400, "endpoints");
    const own = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "relay", kind: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1" } })).json();
    await create({ name: "relay-embed", providerId: own.id, endpoints: ["embeddings"] });
    const kind = await expectError(await server.admin(`/api/admin/providers/${own.id}`, { method: "PATCH", json: { kind: "anthropic" } }), 400, "kind");
    expect(kind.message).toContain("relay-embed");
  });

  it("answers 409 for a duplicate name", async () => {
    expect(await statusOf(create({ name: "dup" }))).toBe(201);
    await expectError(await create({ name: "dup" }), 409, "name");
    const other = await (await create({ name: "dup-2" })).json();
    await expectError(await server.admin(`/api/admin/models/${other.id}`, { method: "PATCH", json: { name: "dup" } }), 409, "name");
  });
});
