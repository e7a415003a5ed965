import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";

/** Status of a response whose body is read, so no connection is left busy when the server stops. */
async function statusOf(pending: Promise<Response>): Promise<number> {
  const res = await pending;
  await res.arrayBuffer();
  return res.status;
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  const provider = await (await server.admin("/api/admin/providers", { method: "POST", json: { name: "Simulator", kind: "simulator" } })).json();
  const model = await server.admin("/api/admin/models", {
    method: "POST",
    json: {
      name: "sim-test",
      providerId: provider.id,
      upstreamModel: "sim-test",
      inputPricePerMTok: 3,
      outputPricePerMTok: 15,
      maxOutputTokens: 64,
      simulator: { ttftMs: 0, tokensPerSecond: 100000 },
    },
  });
  expect(model.status).toBe(201);
  await model.arrayBuffer();
});
afterAll(async () => {
  await server?.stop();
});

async function expectError(res: Response, status: number, param?: string | null) {
  expect(res.status).toBe(status);
  const { error } = await res.json();
  expect(error.type).toBe("invalid_request_error");
  if (param !== undefined) expect(error.param).toBe(param);
}

const createTeam = (json: Record<string, unknown>) => server.admin("/api/admin/teams", { method: "POST", json });

async function complete(key: string, content: string) {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "sim-test", messages: [{ role: "user", content }] }),
  });
  await res.text();
  return res.status;
}

describe("teams", () => {
  it("round-trips create, read, list, update and delete", async () => {
    const res = await createTeam({ name: "Research", rpmLimit: 60, dailyBudgetUsd: 2.5, monthlyBudgetUsd: 40 });
    expect(res.status).toBe(201);
    const t = await res.json();
    expect(t).toMatchObject({
      name: "Research",
      rpmLimit: 60,
      tpmLimit: null,
      dailyBudgetUsd: 2.5,
      monthlyBudgetUsd: 40,
      alertThresholdPct: 80,
      spentTodayUsd: 0,
      spentThisMonthUsd: 0,
    });
    expect(t.id).toMatch(/^team_[0-9a-f]+$/);
    expect(server.db().prepare("select daily_budget_micros from teams where id = ?").get(t.id)).toEqual({ daily_budget_micros: 2_500_000 });

    const detail = await (await server.admin(`/api/admin/teams/${t.id}`)).json();
    expect(detail).toMatchObject({ ...t, updatedAt: t.updatedAt });
    expect(detail.budget.day).toMatchObject({ capUsd: 2.5, spentUsd: 0, reservedUsd: 0, alerted: false });
    expect(detail.budget.day.periodKey).toBe(new Date().toISOString().slice(0, 10));
    expect(detail.budget.month).toMatchObject({ capUsd: 40, periodKey: new Date().toISOString().slice(0, 7) });
    expect(detail.alerts).toEqual([]);

    const list = await (await server.admin("/api/admin/teams")).json();
    expect(list.data.find((x: { id: string }) => x.id === t.id)).toEqual(t);

    const patched = await (await server.admin(`/api/admin/teams/${t.id}`, { method: "PATCH", json: { dailyBudgetUsd: null, alertThresholdPct: 50 } })).json();
    expect(patched).toMatchObject({ dailyBudgetUsd: null, monthlyBudgetUsd: 40, alertThresholdPct: 50, rpmLimit: 60 });

    const key = await (await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    const del = await server.admin(`/api/admin/teams/${t.id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ id: t.id, deleted: true });
    await expectError(await server.admin(`/api/admin/teams/${t.id}`), 404);
    // Its keys went with it.
    expect(server.db().prepare("select count(*) as n from api_keys where team_id = ?").get(t.id)).toEqual({ n: 0 });
    expect(await complete(key.key, "hi")).toBe(401);
  });

  it("validates fields and refuses duplicates", async () => {
    await expectError(await createTeam({ name: "" }), 400, "name");
    await expectError(await createTeam({ name: "v", dailyBudgetUsd: -1 }), 400, "dailyBudgetUsd");
    await expectError(await createTeam({ name: "v", alertThresholdPct: 0 }), 400, "alertThresholdPct");
    await expectError(await createTeam({ name: "v", alertThresholdPct: 101 }), 400, "alertThresholdPct");
    await expectError(await createTeam({ name: "v", rpmLimit: 0 }), 400, "rpmLimit");
    await expectError(await createTeam({ name: "v", budget: 1 }), 400, "budget");
    expect(await statusOf(createTeam({ name: "Dup team" }))).toBe(201);
    await expectError(await createTeam({ name: "Dup team" }), 409, "name");
    await expectError(await server.admin("/api/admin/teams/team_nope", { method: "PATCH", json: { name: "x" } }), 404);
    await expectError(await server.admin("/api/admin/teams/team_nope", { method: "DELETE" }), 404);
  });

  it("reports spend equal to the usage table after completions", async () => {
    const t = await (await createTeam({ name: "Spenders", dailyBudgetUsd: 10 })).json();
    const { key } = await (await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    for (const content of ["one", "two two", "three three three"]) expect(await complete(key, content)).toBe(200);

    const view = await (await server.admin(`/api/admin/teams/${t.id}`)).json();
    const { micros, n } = server.db().prepare("select coalesce(sum(cost_micros), 0) as micros, count(*) as n from usage where team_id = ?").get(t.id) as {
      micros: number;
      n: number;
    };
    expect(n).toBe(3);
    expect(micros).toBeGreaterThan(0);
    expect(view.spentTodayUsd).toBe(micros / 1_000_000);
    expect(view.spentThisMonthUsd).toBe(micros / 1_000_000);
    expect(view.budget.day.spentUsd).toBe(micros / 1_000_000);
    expect(view.budget.day.reservedUsd).toBe(0);

    const list = await (await server.admin("/api/admin/teams")).json();
    expect(list.data.find((x: { id: string }) => x.id === t.id).spentTodayUsd).toBe(micros / 1_000_000);
  });

  it("shows budget alerts on the team and in the event log", async () => {
    // A cap so small that one request passes the 1 % threshold.
    const t = await (await createTeam({ name: "Alerted", dailyBudgetUsd: 0.01, alertThresholdPct: 1 })).json();
    const { key } = await (await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "k" } })).json();
    expect(await complete(key, "a prompt long enough to cost something")).toBe(200);

    const view = await (await server.admin(`/api/admin/teams/${t.id}`)).json();
    expect(view.budget.day.alerted).toBe(true);
    expect(view.alerts.length).toBeGreaterThanOrEqual(1);
    expect(view.alerts[0]).toMatchObject({ type: "budget.alert", subjectType: "team", subjectId: t.id, actor: "system" });
    expect(view.alerts[0].data).toMatchObject({ period: "day" });

    const events = await (await server.admin(`/api/admin/events?type=budget.alert&subjectType=team&subjectId=${t.id}`)).json();
    expect(events.data.map((e: { id: number }) => e.id)).toEqual(view.alerts.map((e: { id: number }) => e.id));
    expect(events.nextBefore).toBeNull();
  });
});

describe("events", () => {
  it("pages with before and limit", async () => {
    const all = await (await server.admin("/api/admin/events?limit=500")).json();
    expect(all.data.length).toBeGreaterThanOrEqual(1);
    const first = await (await server.admin("/api/admin/events?limit=1")).json();
    expect(first.data).toHaveLength(1);
    expect(first.data[0]).toEqual(all.data[0]);
    expect(first.nextBefore).toBe(first.data[0].id);
    expect(new Date(first.data[0].createdAt).toISOString()).toBe(first.data[0].createdAt);
    const second = await (await server.admin(`/api/admin/events?limit=1&before=${first.nextBefore}`)).json();
    for (const e of second.data) expect(e.id).toBeLessThan(first.nextBefore);
  });

  it("validates the query", async () => {
    await expectError(await server.admin("/api/admin/events?limit=0"), 400, "limit");
    await expectError(await server.admin("/api/admin/events?limit=abc"), 400, "limit");
    await expectError(await server.admin("/api/admin/events?before=-3"), 400, "before");
    await expectError(await server.admin("/api/admin/events?colour=red"), 400, "colour");
    expect(await statusOf(fetch(`${server.url}/api/admin/events`))).toBe(401);
  });
});
