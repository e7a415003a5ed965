/**
 * Traffic splits end to end over HTTP with the built-in simulator: a failing candidate is rolled
 * back on its own, a healthy one advances through every stage to promotion, and a restart keeps
 * the stage, the weights and the history.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

let server: TestServer;
let key: string;
let dir: string;

async function must(res: Response) {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body as Record<string, any>;
}

async function setup(s: TestServer) {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  const model = (name: string, simulator: Record<string, unknown>) =>
    s.admin("/api/admin/models", {
      method: "POST",
      json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: { ttftMs: 2, tokensPerSecond: 5000, outputTokens: 8, ...simulator } },
    }).then(must);
  await model("stable", {});
  await model("flaky", { errorRate: 0.3 });
  await model("healthy", {});
  const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "t" } }));
  return (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } }))).key as string;
}

async function send(model: string, user: string) {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, user, messages: [{ role: "user", content: "hi" }] }),
  });
  await res.arrayBuffer();
  return res;
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "switchyard-rollout-"));
  server = await startServer({ dir });
  key = await setup(server);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("automatic rollback", () => {
  it("rolls back a candidate failing 30 % of requests, with the numbers, and sends it nothing after", async () => {
    const route = await must(
      await server.admin("/api/admin/routes", {
        method: "POST",
        json: {
          name: "chat-flaky",
          control: "stable",
          candidate: "flaky",
          stages: [50, 100],
          evalIntervalSeconds: 1,
          minStageSeconds: 600,
          // Error rate is the rule under test; latency ratios between two arms of one simulator
          // would only measure how busy the machine was.
          guardrails: { maxErrorRate: 0.1, minSamples: 20, maxLatencyRatio: null, maxTtftRatio: null },
        },
      }),
    );
    expect(route.candidateWeight).toBe(50);
    for (let i = 0; i < 120; i++) await send("chat-flaky", `u${i}`);

    const rolled = await until(async () => {
      const r = await must(await server.admin(`/api/admin/routes/${route.id}`));
      return r.status === "rolled_back" ? r : null;
    }, 20_000);
    expect(rolled.candidateWeight).toBe(0);
    const event = rolled.events.find((e: { type: string }) => e.type === "route.rolled_back");
    expect(event.actor).toBe("evaluator");
    expect(event.data.rule).toBe("absolute_error");
    expect(event.data.numbers.candidateErrorRateLowerBound).toBeGreaterThan(0.1);
    expect(event.data.numbers.candidateRequests).toBeGreaterThanOrEqual(10);

    const before = Number((server.db().prepare("select max(id) m from usage").get() as { m: number }).m);
    for (let i = 0; i < 40; i++) expect((await send("chat-flaky", `u${i}`)).status).toBe(200);
    await server.usageRows(before + 40);
    const variants = server.db().prepare("select variant, count(*) n from usage where id > ? group by variant").all(before);
    expect(variants).toEqual([{ variant: "control", n: 40 }]);
  }, 60_000);
});

describe("advance to promotion", () => {
  it("walks a healthy candidate through every stage and promotes it", async () => {
    const route = await must(
      await server.admin("/api/admin/routes", {
        method: "POST",
        // Both arms answer from the same simulator, so a latency ratio would judge only how busy the
        // machine was at each moment; this walk is about the stages, not the latency guards.
        json: {
          name: "chat-healthy", control: "stable", candidate: "healthy", stages: [20, 50, 100], evalIntervalSeconds: 1, minStageSeconds: 1,
          guardrails: { minSamples: 5, maxLatencyRatio: null, maxTtftRatio: null },
        },
      }),
    );
    let i = 0;
    // Stops at any ending, so a rollback fails here with its reason instead of timing out.
    const ended = await until(async () => {
      for (let n = 0; n < 15; n++) await send("chat-healthy", `v${i++}`);
      const r = await must(await server.admin(`/api/admin/routes/${route.id}`));
      return r.status === "promoted" || r.status === "rolled_back" ? r : null;
    }, 60_000);
    expect({ status: ended.status, last: ended.events[0] }).toMatchObject({ status: "promoted" });
    const promoted = ended;
    expect(promoted.control).toBe("healthy");
    expect(promoted.candidate).toBeNull();
    const types = promoted.events.map((e: { type: string }) => e.type).reverse();
    expect(types).toEqual(["route.created", "route.advanced", "route.advanced", "route.promoted"]);
    expect(promoted.events[0].data.numbers.candidateRequests).toBeGreaterThanOrEqual(5);
  }, 90_000);
});

describe("restart mid-rollout", () => {
  it("keeps the stage, the weights and the history", async () => {
    const created = await must(
      await server.admin("/api/admin/routes", {
        method: "POST",
        // As in the walk above: latency ratios between two arms of one simulator would only judge
        // how busy the machine is, and this test is about what a restart keeps.
        json: {
          name: "chat-restart", control: "stable", candidate: "healthy", stages: [10, 30, 100], evalIntervalSeconds: 1, minStageSeconds: 1,
          guardrails: { minSamples: 3, maxLatencyRatio: null, maxTtftRatio: null },
        },
      }),
    );
    // Stops at any move, so a rollback fails here with its reason instead of timing out.
    const advanced = await until(async () => {
      for (let n = 0; n < 10; n++) await send("chat-restart", `w${n}-${Date.now()}`);
      const r = await must(await server.admin(`/api/admin/routes/${created.id}`));
      return r.stageIndex >= 1 || r.status !== "running" ? r : null;
    }, 60_000);
    expect({ status: advanced.status, last: advanced.events[0] }).toMatchObject({ status: "running" });
    // Freeze it so nothing moves while the server is down and back up.
    const paused = await must(await server.admin(`/api/admin/routes/${created.id}/pause`, { method: "POST" }));
    const variantsOf = async () => {
      const out: string[] = [];
      for (let n = 0; n < 30; n++) out.push((await send("chat-restart", `sticky-${n}`)).headers.get("x-switchyard-variant") ?? "");
      return out;
    };
    const beforeRestart = await variantsOf();
    expect(beforeRestart).toContain("candidate");
    await server.stop();

    server = await startServer({ dir });
    const after = await must(await server.admin(`/api/admin/routes/${created.id}`));
    expect(after.status).toBe("paused");
    expect(after.stageIndex).toBe(paused.stageIndex);
    expect(after.candidateWeight).toBe(paused.candidateWeight);
    expect(after.candidateWeight).toBe(advanced.candidateWeight);
    expect(after.events.map((e: { id: number }) => e.id)).toEqual(paused.events.map((e: { id: number }) => e.id));
    // A key assigned before the restart keeps its variant after it.
    expect(await variantsOf()).toEqual(beforeRestart);
    const resumed = await must(await server.admin(`/api/admin/routes/${created.id}/resume`, { method: "POST" }));
    expect(resumed.status).toBe("running");
    expect(resumed.events[0]).toMatchObject({ type: "route.resumed", actor: "admin-token" });
  }, 120_000);
});
