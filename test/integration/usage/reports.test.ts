/**
 * The usage JSON endpoints over real traffic through the built server: every aggregate agrees
 * with the usage table (counts, tokens, micro-dollars, nearest-rank percentiles), filters narrow,
 * a team key only ever sees its own team, and bad input is a 400 in OpenAI's error shape.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { allRows, must, sendTraffic, TRAFFIC_ROWS, type Traffic } from "./helpers";

let server: TestServer;
let traffic: Traffic;
let rows: Array<Record<string, any>>;

const micros = (usd: number) => Math.round(usd * 1e6);
const sum = (xs: Array<Record<string, any>>, f: string) => xs.reduce((s, r) => s + Number(r[f]), 0);

/** Nearest rank, written out here independently of the server's implementation. */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
}

function expected(subset: Array<Record<string, any>>) {
  const ok = subset.filter((r) => r.status === "ok");
  const ttfts = ok.filter((r) => r.ttft_ms !== null).map((r) => r.ttft_ms as number);
  const errors = subset.filter((r) => r.status === "error").length;
  return {
    requests: subset.length,
    ok: ok.length,
    errors,
    rateLimited: subset.filter((r) => r.status === "rate_limited").length,
    rejected: subset.filter((r) => r.status === "rejected").length,
    errorRate: subset.length ? errors / subset.length : 0,
    promptTokens: sum(subset, "prompt_tokens"),
    completionTokens: sum(subset, "completion_tokens"),
    costMicros: sum(subset, "cost_micros"),
    p50LatencyMs: nearestRank(ok.map((r) => r.latency_ms), 0.5),
    p95LatencyMs: nearestRank(ok.map((r) => r.latency_ms), 0.95),
    p50TtftMs: nearestRank(ttfts, 0.5),
    p95TtftMs: nearestRank(ttfts, 0.95),
  };
}

function expectStats(actual: Record<string, any>, subset: Array<Record<string, any>>) {
  const { costMicros, ...rest } = expected(subset);
  expect({ ...actual, costMicros: micros(actual.costUsd) }).toMatchObject({ ...rest, costMicros });
}

const get = (path: string, token = ADMIN_TOKEN) => fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  server = await startServer();
  traffic = await sendTraffic(server, "rep");
  // One request that never authenticates: a row without a team.
  await (await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: "{}" })).arrayBuffer();
  rows = await allRows(server, TRAFFIC_ROWS + 1);
});

afterAll(async () => {
  await server?.stop();
});

describe("GET /api/usage", () => {
  it("groups by team, with totals equal to the whole usage table", async () => {
    const report = await must(await get("/api/usage?groupBy=team"));
    expect(report.groupBy).toBe("team");
    const byTeam = new Map(report.data.map((d: any) => [d.key, d]));
    const teams = new Set(rows.map((r) => r.team_id));
    expect(byTeam.size).toBe(teams.size);
    for (const id of teams) expectStats(byTeam.get(id) as any, rows.filter((r) => r.team_id === id));
    expect((byTeam.get(traffic.teamA.id) as any).label).toBe(traffic.teamA.name);
    expect((byTeam.get(null) as any).label).toBe("(no team)");
    expectStats(report.totals, rows);
    // Sorted by spend.
    const costs = report.data.map((d: any) => d.costUsd);
    expect(costs).toEqual([...costs].sort((a: number, b: number) => b - a));
  });

  it("groups by day over the last 30 UTC days by default, empty days included", async () => {
    const report = await must(await get("/api/usage"));
    expect(report.groupBy).toBe("day");
    expect(report.data).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(report.data.at(-1).key).toBe(today);
    expect(report.from).toBe(new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString());
    expectStats(report.data.at(-1), rows);
    expect(report.data.slice(0, -1).every((d: any) => d.requests === 0 && d.p50LatencyMs === null)).toBe(true);
    expectStats(report.totals, rows);
  });

  it("groups by served model, refusals without a model in their own group", async () => {
    const report = await must(await get("/api/usage?groupBy=model"));
    for (const d of report.data) expectStats(d, rows.filter((r) => r.served_model === d.key));
    expect(report.data.find((d: any) => d.key === null).label).toBe("(no model)");
    expect(report.data.map((d: any) => d.key)).toContain(traffic.models.awkward);
  });

  it("groups by route and variant", async () => {
    const report = await must(await get("/api/usage?groupBy=variant"));
    const routed = rows.filter((r) => r.route_id === traffic.route.id);
    expect(new Set(routed.map((r) => r.variant))).toEqual(new Set(["control", "candidate"]));
    for (const variant of ["control", "candidate"]) {
      const d = report.data.find((x: any) => x.key === `${traffic.route.id}:${variant}`);
      expect(d).toMatchObject({ routeId: traffic.route.id, variant, label: `${traffic.route.name} · ${variant}` });
      expectStats(d, routed.filter((r) => r.variant === variant));
    }
    expectStats(report.data.find((x: any) => x.key === null), rows.filter((r) => r.route_id === null));
    expectStats(report.totals, rows);
  });

  it("filters by served model, by route (name or id), by team and by time", async () => {
    const model = await must(await get(`/api/usage?groupBy=team&model=${encodeURIComponent(traffic.models.awkward)}`));
    expectStats(model.totals, rows.filter((r) => r.served_model === traffic.models.awkward));
    expect(model.filters.model).toBe(traffic.models.awkward);

    const byName = await must(await get(`/api/usage?groupBy=model&route=${traffic.route.name}`));
    const byId = await must(await get(`/api/usage?groupBy=model&route=${traffic.route.id}`));
    expectStats(byName.totals, rows.filter((r) => r.route_id === traffic.route.id));
    expect(byId.totals).toEqual(byName.totals);

    const team = await must(await get(`/api/usage?groupBy=model&teamId=${traffic.teamB.id}`));
    expectStats(team.totals, rows.filter((r) => r.team_id === traffic.teamB.id));

    const mid = new Date(traffic.midpoint).toISOString();
    const after = await must(await get(`/api/usage?groupBy=team&from=${mid}`));
    const before = await must(await get(`/api/usage?groupBy=team&from=2000-01-01&to=${mid}`));
    expectStats(after.totals, rows.filter((r) => r.created_at >= traffic.midpoint));
    expectStats(before.totals, rows.filter((r) => r.created_at < traffic.midpoint));
    expect(after.totals.requests).toBeGreaterThanOrEqual(8);
    expect(before.totals.requests).toBeGreaterThanOrEqual(TRAFFIC_ROWS - 8);
  });

  it("reads dates and offset-less datetimes as UTC, with `to` exclusive", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10);
    const day = await must(await get(`/api/usage?from=${today}&to=${tomorrow}&groupBy=team`));
    expect(day.from).toBe(`${today}T00:00:00.000Z`);
    expect(day.totals.requests).toBe(rows.length);
    const naive = await must(await get(`/api/usage?from=${today}T00:00:00&to=${today}T00:00:00.001&groupBy=team`));
    expect(naive.to).toBe(`${today}T00:00:00.001Z`);
    const empty = await must(await get(`/api/usage?from=${tomorrow}&to=${tomorrow}T12:00:00Z&groupBy=team`));
    expect(empty.data).toEqual([]);
    expect(empty.totals).toMatchObject({ requests: 0, costUsd: 0, p50LatencyMs: null, errorRate: 0 });
  });

  it("refuses malformed parameters with a 400 naming the parameter", async () => {
    for (const [query, param] of [
      ["from=yesterday", "from"],
      ["to=2026-13-45T99:00", "to"],
      ["from=2026-02-01&to=2026-01-01", "from"],
      ["groupBy=hour", "groupBy"],
    ] as const) {
      const res = await get(`/api/usage?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param });
    }
  });
});

describe("who may read usage", () => {
  it("needs credentials: none or a wrong key is a 401", async () => {
    const none = await fetch(`${server.url}/api/usage`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.type).toBe("invalid_request_error");
    expect((await get("/api/usage", "sk-sy-not-a-key")).status).toBe(401);
  });

  it("shows a team key its own team only, and refuses to show it another team", async () => {
    const own = await must(await get("/api/usage?groupBy=team", traffic.teamA.key));
    expect(own.data.map((d: any) => d.key)).toEqual([traffic.teamA.id]);
    expectStats(own.totals, rows.filter((r) => r.team_id === traffic.teamA.id));
    expect(own.filters.teamId).toBe(traffic.teamA.id);

    const explicit = await must(await get(`/api/usage?groupBy=model&teamId=${traffic.teamA.id}`, traffic.teamA.key));
    expect(explicit.totals).toEqual(own.totals);

    for (const path of [
      `/api/usage?teamId=${traffic.teamB.id}`,
      `/api/usage/top?teamId=${traffic.teamB.id}`,
      `/api/usage/export.csv?teamId=${traffic.teamB.id}`,
    ]) {
      const res = await get(path, traffic.teamA.key);
      expect(res.status, path).toBe(403);
      expect((await res.json()).error).toMatchObject({ type: "permission_error", code: "forbidden" });
    }

    const top = await must(await get("/api/usage/top?by=team", traffic.teamA.key));
    expect(top.data.map((d: any) => d.key)).toEqual([traffic.teamA.id]);
    const budgets = await must(await get("/api/usage/budgets", traffic.teamA.key));
    expect(budgets.data.map((d: any) => d.teamId)).toEqual([traffic.teamA.id]);
  });
});

describe("GET /api/usage/top", () => {
  it("ranks teams, models and keys by spend, with shares of the whole", async () => {
    const teams = await must(await get("/api/usage/top?by=team&limit=2"));
    expect(teams.data).toHaveLength(2);
    const spend = new Map<string | null, number>();
    for (const r of rows) spend.set(r.team_id, (spend.get(r.team_id) ?? 0) + r.cost_micros);
    const ranked = [...spend.entries()].sort((a, b) => b[1] - a[1]);
    expect(teams.data.map((d: any) => d.key)).toEqual(ranked.slice(0, 2).map(([k]) => k));
    expect(micros(teams.totalCostUsd)).toBe(sum(rows, "cost_micros"));
    for (const d of teams.data) {
      expect(micros(d.costUsd)).toBe(spend.get(d.key));
      expect(d.share).toBeCloseTo(spend.get(d.key)! / sum(rows, "cost_micros"), 12);
    }

    const models = await must(await get("/api/usage/top?by=model"));
    expect(models.data[0].costUsd).toBeGreaterThanOrEqual(models.data.at(-1).costUsd);
    expect(models.data.reduce((s: number, d: any) => s + micros(d.costUsd), 0)).toBe(sum(rows, "cost_micros"));

    const keys = await must(await get(`/api/usage/top?by=key&teamId=${traffic.teamB.id}`));
    const bKeys = new Set(rows.filter((r) => r.team_id === traffic.teamB.id).map((r) => r.key_id));
    expect(new Set(keys.data.map((d: any) => d.key))).toEqual(bKeys);
    expect(keys.data[0].requests).toBe(rows.filter((r) => r.team_id === traffic.teamB.id).length);
    expect(keys.data[0].label).toMatch(/^usage test \(sk-sy-.+…\)$/);

    expect((await get("/api/usage/top?limit=0")).status).toBe(400);
    expect((await get("/api/usage/top?by=user")).status).toBe(400);
  });
});

describe("GET /api/usage/budgets", () => {
  it("reports each team's caps, settled spend and share", async () => {
    const { data } = await must(await get("/api/usage/budgets"));
    const a = data.find((d: any) => d.teamId === traffic.teamA.id);
    const spentA = sum(rows.filter((r) => r.team_id === traffic.teamA.id), "cost_micros");
    expect(a.teamName).toBe(traffic.teamA.name);
    expect(a.daily).toMatchObject({ capUsd: 10, reservedUsd: 0, period: new Date().toISOString().slice(0, 10) });
    expect(micros(a.daily.spentUsd)).toBe(spentA);
    expect(a.daily.share).toBeCloseTo(spentA / 10_000_000, 12);
    expect(a.monthly).toMatchObject({ capUsd: 100, period: new Date().toISOString().slice(0, 7) });
    const b = data.find((d: any) => d.teamId === traffic.teamB.id);
    expect(b.daily).toMatchObject({ capUsd: null, share: null });
  });
});

describe("GET /metrics", () => {
  it("is open by default and speaks the Prometheus text format", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toContain("# TYPE switchyard_requests_total counter");
  });
});
