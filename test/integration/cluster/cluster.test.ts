/**
 * Three gateway processes on one Postgres and one Redis, configured through one of them and used
 * through all three, as the README's "Running many instances" runs them. Budgets, limits and
 * rollout decisions must hold across the instances exactly as they do within one.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, until, type Cluster } from "../../helpers/cluster";
import type { TestServer } from "../../helpers/server";

let cluster: Cluster;
let providerId: string;

async function must(res: Response) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body)}`);
  return body;
}

const admin = (path: string, init?: RequestInit & { json?: unknown }) => cluster.servers[0]!.admin(path, init);

async function team(json: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const t = await must(await admin("/api/admin/teams", { method: "POST", json }));
  const { key } = await must(await admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } }));
  return { id: t.id, key };
}

let probeKey: string;

/** Creates a model through the first instance and waits until every instance serves it (about a second). */
async function model(name: string, json: Record<string, unknown> = {}, simulator: Record<string, unknown> = {}) {
  const created = await must(
    await admin("/api/admin/models", {
      method: "POST",
      json: { name, providerId, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: { ttftMs: 1, tokensPerSecond: 100_000, outputTokens: 8, ...simulator }, ...json },
    }),
  );
  for (const server of cluster.servers) await until(async () => (await chat(server, probeKey, name, { max_tokens: 1 })).status === 200, 10_000, `${name} served by ${server.url}`);
  return created;
}

async function chat(server: TestServer, key: string, model: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello there" }], ...extra }),
  });
  const body = (await res.json()) as Record<string, any>;
  return { status: res.status, headers: res.headers, body };
}

/** `n` calls spread round-robin over the instances, at most `concurrency` at a time. */
async function spread<T>(n: number, concurrency: number, call: (server: TestServer, i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await call(cluster.servers[i % cluster.servers.length]!, i);
      }
    }),
  );
  return results;
}

beforeAll(async () => {
  cluster = await startCluster({ instances: 3, env: { SWITCHYARD_USAGE_FLUSH_MS: "20" } });
  const provider = await must(await admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  providerId = provider.id;
  probeKey = (await team({ name: "probe" })).key;
}, 120_000);

// Folders of instances killed and started again on them: startServer leaves a folder it was given.
const leftFolders: string[] = [];

afterAll(async () => {
  await cluster?.stop();
  for (const dir of leftFolders) rmSync(dir, { recursive: true, force: true });
});

describe("three instances on one Postgres and one Redis", () => {
  it("all three serve a model created through one of them within a few seconds", async () => {
    const started = Date.now();
    await model("everywhere");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a 300-request race across the three never spends past a small cap, and every refusal says when to retry", async () => {
    // $1,000 per million tokens: each request costs about $0.02, so a $1 cap fits about fifty.
    await model("pricey", { inputPricePerMTok: 1000, outputPricePerMTok: 1000 });
    const capUsd = 1;
    const t = await team({ name: "race", dailyBudgetUsd: capUsd });
    const results = await spread(300, 30, (server) => chat(server, t.key, "pricey", { max_tokens: 8 }));

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(300);
    expect(ok.length).toBeGreaterThan(10);
    expect(refused.length).toBeGreaterThan(100);
    for (const r of refused) {
      expect(r.body.error.code).toBe("budget_exceeded");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    await until(async () => Number((await cluster.query<{ n: number }>("select count(*) n from usage where team_id = $1", [t.id]))[0]!.n) >= 300, 15_000, "usage rows");
    const [sums] = await cluster.query<{ n: number; spent: number; ok: number }>(
      "select count(*) n, coalesce(sum(cost_micros), 0) spent, count(*) filter (where status = 'ok') ok from usage where team_id = $1",
      [t.id],
    );
    expect(sums!.n).toBe(300);
    expect(sums!.ok).toBe(ok.length);
    expect(sums!.spent).toBeLessThanOrEqual(capUsd * 1_000_000);
    // Each instance served part of it, so the cap held across processes, not within one.
    const served = await cluster.query<{ n: number }>("select count(distinct id) n from usage where team_id = $1 and status = 'ok'", [t.id]);
    expect(served[0]!.n).toBe(ok.length);
  }, 120_000);

  it("a team RPM limit of 60 admits about 60 across the three, not 60 each and not 20 each", async () => {
    await model("rpm-model");
    const t = await team({ name: "rpm", rpmLimit: 60 });
    const started = Date.now();
    const results = await spread(120, 12, (server) => chat(server, t.key, "rpm-model"));
    const elapsedS = (Date.now() - started) / 1000;
    const admitted = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    // A bucket of 60 refills at one a second: what it refilled while the burst ran may pass too.
    expect(admitted).toBeLessThanOrEqual(60 + Math.ceil(elapsedS));
    expect(admitted).toBeGreaterThanOrEqual(55);
    expect(limited.length).toBe(120 - admitted);
    for (const r of limited) {
      expect(r.body.error.code).toBe("rate_limit_exceeded");
      expect(r.headers.get("retry-after")).not.toBeNull();
    }
  }, 120_000);

  it("a failing candidate is rolled back once, by one instance, and then gets no traffic", async () => {
    await model("steady");
    await model("broken", {}, { errorRate: 0.5 });
    const t = await team({ name: "rollout" });
    const route = await must(
      await admin("/api/admin/routes", {
        method: "POST",
        json: {
          name: "split", control: "steady", candidate: "broken", stages: [50, 100], evalIntervalSeconds: 1, minStageSeconds: 600,
          guardrails: { maxErrorRate: 0.1, minSamples: 20, maxLatencyRatio: null, maxTtftRatio: null },
        },
      }),
    );
    // Every instance must see the route before traffic goes through it.
    for (const server of cluster.servers) await until(async () => (await chat(server, t.key, "split", { user: "probe" })).status !== 404, 10_000, "route visible");
    let i = 0;
    const rolled = await until(async () => {
      await spread(30, 6, (server) => chat(server, t.key, "split", { user: `u${i++}` }));
      const r = await must(await admin(`/api/admin/routes/${route.id}`));
      return r.status === "rolled_back" || r.status === "promoted" ? r : null;
    }, 60_000, "rollback");
    expect(rolled.status).toBe("rolled_back");
    // Let every instance tick a few more times: none may act on the route again.
    await new Promise((r) => setTimeout(r, 3_000));
    const events = await cluster.query<{ type: string }>("select type from events where subject_id = $1 order by id", [route.id]);
    expect(events.map((e) => e.type)).toEqual(["route.created", "route.rolled_back"]);

    const before = Number((await cluster.query<{ m: number }>("select coalesce(max(id), 0) m from usage"))[0]!.m);
    // Every instance's catalog shows the rollback within about a second.
    await new Promise((r) => setTimeout(r, 1_500));
    await spread(30, 6, (server) => chat(server, t.key, "split", { user: `after${i++}` }));
    await until(async () => Number((await cluster.query<{ n: number }>("select count(*) n from usage where id > $1", [before]))[0]!.n) >= 30, 10_000, "rows after");
    const variants = await cluster.query<{ variant: string; n: number }>("select variant, count(*) n from usage where id > $1 group by variant", [before]);
    expect(variants).toEqual([{ variant: "control", n: 30 }]);
  }, 120_000);

  it("a key revoked through one instance stops working on all three within a second", async () => {
    await model("revocable");
    const t = await team({ name: "revoked" });
    const keys = await must(await admin(`/api/admin/teams/${t.id}/keys`));
    for (const server of cluster.servers) expect((await chat(server, t.key, "revocable")).status).toBe(200);
    const keyId = keys.data[0].id;
    await must(await cluster.servers[1]!.admin(`/api/admin/keys/${keyId}`, { method: "DELETE" }));
    const revokedAt = Date.now();
    for (const server of cluster.servers) {
      await until(async () => (await chat(server, t.key, "revocable")).status === 401, 5_000, `revoked on ${server.url}`);
    }
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });
});

describe("an instance killed under load", () => {
  it("leaves the others serving, and every request answered before the kill has exactly one usage row", async () => {
    await model("steady-load");
    const t = await team({ name: "killed" });
    const victim = cluster.servers[0]!;
    const answered: Array<{ requestId: string; at: number; server: TestServer }> = [];
    const failures: Array<{ server: TestServer; at: number; error: string }> = [];
    let killedAt = Infinity;
    let running = true;
    const loops = Array.from({ length: 6 }, async (_, worker) => {
      let i = worker;
      while (running) {
        const server = cluster.servers[i++ % cluster.servers.length]!;
        if (server === victim && Date.now() >= killedAt) continue;
        try {
          const res = await fetch(`${server.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "steady-load", messages: [{ role: "user", content: "hi" }] }),
          });
          await res.arrayBuffer();
          if (res.status === 200) answered.push({ requestId: res.headers.get("x-request-id")!, at: Date.now(), server });
          else failures.push({ server, at: Date.now(), error: `status ${res.status}` });
        } catch (err) {
          failures.push({ server, at: Date.now(), error: String(err) });
        }
      }
    });
    await until(async () => answered.length >= 150, 30_000, "load before the kill");
    const exited = new Promise((r) => victim.proc.once("exit", r));
    killedAt = Date.now();
    victim.proc.kill("SIGKILL");
    await exited;
    const countAtKill = answered.length;
    await until(async () => answered.length >= countAtKill + 150, 30_000, "load after the kill");
    running = false;
    await Promise.all(loops);

    // The survivors answered everything sent to them.
    expect(failures.filter((f) => f.server !== victim)).toEqual([]);
    const beforeKill = answered.filter((a) => a.server === victim && a.at < killedAt);
    expect(beforeKill.length).toBeGreaterThan(20);

    // The killed instance started again on its own folder writes what its journal still held.
    cluster.servers.splice(cluster.servers.indexOf(victim), 1);
    leftFolders.push(victim.dir);
    await cluster.add({ SWITCHYARD_INSTANCE_ID: "gw-1" }, victim.dir);
    const ids = answered.map((a) => a.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    const counted = await until(
      async () => {
        const rows = await cluster.query<{ request_id: string; n: number }>("select request_id, count(*) n from usage where team_id = $1 group by request_id", [t.id]);
        const found = new Map(rows.map((r) => [r.request_id, r.n]));
        return ids.every((id) => found.has(id)) ? found : null;
      },
      15_000,
      "a usage row for every answered request",
    );
    // Nothing counted twice, answered before the kill or after.
    expect([...counted.values()].filter((n) => n !== 1)).toEqual([]);
  }, 120_000);
});
