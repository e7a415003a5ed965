import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

/** Status of a response whose body is read, so no connection is left busy when the server stops. */
async function statusOf(pending: Promise<Response>): Promise<number> {
  const res = await pending;
  await res.arrayBuffer();
  return res.status;
}

const dir = mkdtempSync(join(tmpdir(), "switchyard-seed-"));
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const KEY_LINE = /Demo API key \(shown once\): (sk-sy-\S+)/;

/** The banner follows the "listening" line, possibly in a later chunk of the child's stdout. */
async function demoKeyLine(s: TestServer): Promise<string | undefined> {
  const until = Date.now() + 2000;
  for (;;) {
    const key = KEY_LINE.exec(s.output())?.[1];
    if (key || Date.now() > until) return key;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("demo seed", () => {
  it("seeds a simulator provider, three chat models and an embeddings model, a team and a key on first start", async () => {
    server = await startServer({ dir, env: { SWITCHYARD_DEMO: "1" } });
    const key = await demoKeyLine(server);
    expect(key, server.output()).toBeDefined();

    const providers = (await (await server.admin("/api/admin/providers")).json()).data;
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ name: "Built-in simulator", kind: "simulator", apiKeyLast4: null });

    const models = (await (await server.admin("/api/admin/models")).json()).data;
    const byName = Object.fromEntries(models.map((m: { name: string }) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(["sim-balanced", "sim-embed", "sim-fast", "sim-slow"]);
    expect(byName["sim-fast"]).toMatchObject({ upstreamModel: "sim-fast", inputPricePerMTok: 0.1, outputPricePerMTok: 0.4, maxOutputTokens: 1024, fallbacks: [] });
    expect(byName["sim-balanced"]).toMatchObject({ inputPricePerMTok: 1, outputPricePerMTok: 4, maxOutputTokens: 2048, fallbacks: ["sim-fast"] });
    expect(byName["sim-slow"]).toMatchObject({ inputPricePerMTok: 5, outputPricePerMTok: 15, maxOutputTokens: 4096, fallbacks: ["sim-balanced"] });
    expect(byName["sim-slow"].simulator).toEqual({ ttftMs: 400, tokensPerSecond: 35 });
    expect(byName["sim-fast"].endpoints).toEqual(["chat"]);
    expect(byName["sim-embed"]).toMatchObject({ upstreamModel: "sim-embed", inputPricePerMTok: 0.02, outputPricePerMTok: 0, maxOutputTokens: null, endpoints: ["embeddings"], fallbacks: [] });

    const routes = (await (await server.admin("/api/admin/routes")).json()).data;
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({ name: "sim-chat", status: "running", control: "sim-balanced", candidate: "sim-fast", candidateWeight: 5 });

    const teams = (await (await server.admin("/api/admin/teams")).json()).data;
    expect(teams).toHaveLength(1);
    expect(teams[0]).toMatchObject({ name: "Demo team", dailyBudgetUsd: 5 });
    const keys = (await (await server.admin(`/api/admin/teams/${teams[0].id}/keys`)).json()).data;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: "demo key", revokedAt: null });
    expect(key!.startsWith(keys[0].prefix)).toBe(true);

    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-fast", messages: [{ role: "user", content: "hello" }] }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).model).toBe("sim-fast");

    const embedded = await fetch(`${server.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-embed", input: "hello" }),
    });
    expect(embedded.status).toBe(200);
    expect((await embedded.json()).data[0].embedding).toHaveLength(1536);

    // The admin the setup page creates is put in the demo team, so their chat works at once.
    const setup = await fetch(`${server.url}/api/setup`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ email: "first@example.com", name: "First Admin", password: "first-admin-password" }),
    });
    expect(setup.status, await setup.clone().text()).toBe(201);
    const users = (await (await server.admin("/api/admin/users")).json()).data;
    expect(users).toEqual([expect.objectContaining({ email: "first@example.com", role: "admin", teams: [{ id: teams[0].id, name: "Demo team" }] })]);
  });

  it("seeds nothing and prints no key on the next start, even after the demo data is deleted", async () => {
    const teamId = (await (await server!.admin("/api/admin/teams")).json()).data[0].id;
    expect(await statusOf(server!.admin(`/api/admin/teams/${teamId}`, { method: "DELETE" }))).toBe(200);
    await server!.stop();

    server = await startServer({ dir, env: { SWITCHYARD_DEMO: "1" } });
    expect((await (await server.admin("/api/admin/teams")).json()).data).toHaveLength(0);
    expect((await (await server.admin("/api/admin/models")).json()).data).toHaveLength(4);
    expect((await (await server.admin("/api/admin/routes")).json()).data).toHaveLength(1);
    expect((await (await server.admin("/api/admin/providers")).json()).data).toHaveLength(1);
    expect(await demoKeyLine(server)).toBeUndefined();
  });
});
