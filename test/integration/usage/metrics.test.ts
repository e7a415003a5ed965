/**
 * /metrics behind SWITCHYARD_METRICS_TOKEN, parsed with a Prometheus text parser: the counters
 * and histograms move with traffic and agree with the usage table, label values round-trip
 * through escaping, and the breaker gauge follows a model whose upstream keeps failing.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { allRows, chat, must, sendTraffic, TRAFFIC_ROWS, type Traffic } from "./helpers";

const METRICS_TOKEN = "metrics-token-0123456789";
let server: TestServer;

type Families = ReturnType<typeof parsePrometheusTextFormat>;

async function scrape(token = METRICS_TOKEN): Promise<{ text: string; families: Families; plain: Families }> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  // The parser folds all series of a labelled histogram into one, so histograms are also read with
  // their TYPE lines made untyped: then _bucket, _sum and _count are plain labelled samples.
  return { text, families: parsePrometheusTextFormat(text), plain: parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, "# TYPE $1 untyped")) };
}

function family(families: Families, name: string) {
  const f = families.find((x) => x.name === name);
  if (!f) throw new Error(`no metric family ${name}`);
  return f;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string>) => JSON.stringify(a ?? {}) === JSON.stringify(b);

/** The value of the one sample whose labels are exactly `labels`, 0 when the series does not exist yet. */
function value(families: Families, name: string, labels: Record<string, string>): number {
  const matches = family(families, name).metrics.filter((m) => sameLabels(m.labels, labels));
  expect(matches.length).toBeLessThanOrEqual(1);
  return matches[0] ? Number(matches[0].value) : 0;
}

function histogram(plain: Families, name: string, labels: Record<string, string>) {
  const buckets = new Map<string, number>();
  for (const m of family(plain, `${name}_bucket`).metrics) {
    const { le, ...rest } = m.labels!;
    if (sameLabels(rest, labels)) buckets.set(le!, Number(m.value));
  }
  return { count: value(plain, `${name}_count`, labels), sum: value(plain, `${name}_sum`, labels), buckets };
}

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_METRICS_TOKEN: METRICS_TOKEN, SWITCHYARD_BREAKER_MIN_REQUESTS: "5" } });
});

afterAll(async () => {
  await server?.stop();
});

describe("access", () => {
  it("needs the metrics token (or the admin token) once one is set", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.type).toBe("invalid_request_error");
    await scrape(METRICS_TOKEN);
    await scrape(ADMIN_TOKEN);
  });
});

describe("counters and histograms", () => {
  let traffic: Traffic;
  let before: Families;
  let after: Families;
  let afterPlain: Families;
  let rows: Array<Record<string, any>>;

  beforeAll(async () => {
    before = (await scrape()).families;
    traffic = await sendTraffic(server, "met");
    rows = await allRows(server, TRAFFIC_ROWS);
    ({ families: after, plain: afterPlain } = await scrape());
  });

  it("counts requests per team name, model and status, exactly as recorded", async () => {
    const groups = new Map<string, { team: string; model: string; status: string; n: number }>();
    const names = new Map([traffic.teamA, traffic.teamB, traffic.teamLimited].map((t) => [t.id, t.name]));
    for (const r of rows) {
      const labels = { team: names.get(r.team_id) ?? "", model: r.served_model ?? "", status: r.status };
      const key = JSON.stringify(labels);
      groups.set(key, { ...labels, n: (groups.get(key)?.n ?? 0) + 1 });
    }
    for (const { n, ...labels } of groups.values()) {
      expect(value(after, "switchyard_requests_total", labels) - value(before, "switchyard_requests_total", labels), JSON.stringify(labels)).toBe(n);
    }
    // The awkward team name (quotes, comma, Unicode) came back intact through label escaping.
    expect(value(after, "switchyard_requests_total", { team: traffic.teamA.name, model: traffic.models.awkward, status: "ok" })).toBe(
      rows.filter((r) => r.team_id === traffic.teamA.id && r.served_model === traffic.models.awkward && r.status === "ok").length,
    );
  });

  it("adds tokens and spend per team and model", async () => {
    const rowsOf = (teamId: string, model: string) => rows.filter((r) => r.team_id === teamId && r.served_model === model);
    for (const [team, model] of [
      [traffic.teamA, traffic.models.awkward],
      [traffic.teamA, traffic.models.plain],
      [traffic.teamB, traffic.models.plain],
    ] as const) {
      const subset = rowsOf(team.id, model);
      expect(subset.length).toBeGreaterThan(0);
      const labels = { team: team.name, model };
      expect(value(after, "switchyard_tokens_total", { ...labels, kind: "prompt" })).toBe(subset.reduce((s, r) => s + r.prompt_tokens, 0));
      expect(value(after, "switchyard_tokens_total", { ...labels, kind: "completion" })).toBe(subset.reduce((s, r) => s + r.completion_tokens, 0));
      expect(value(after, "switchyard_spend_usd_total", labels)).toBeCloseTo(subset.reduce((s, r) => s + r.cost_micros, 0) / 1e6, 9);
    }
  });

  it("counts the gateway's rate-limit refusals per team", () => {
    expect(value(after, "switchyard_rate_limited_total", { team: traffic.teamLimited.name })).toBe(2);
    expect(value(before, "switchyard_rate_limited_total", { team: traffic.teamLimited.name })).toBe(0);
  });

  it("fills the latency and TTFT histograms of the models that served", () => {
    const served = rows.filter((r) => r.served_model === traffic.models.awkward);
    const duration = histogram(afterPlain, "switchyard_request_duration_seconds", { model: traffic.models.awkward });
    expect(family(after, "switchyard_request_duration_seconds").type).toBe("HISTOGRAM");
    expect(duration.count).toBe(served.length);
    expect(duration.sum).toBeCloseTo(served.reduce((s, r) => s + r.latency_ms, 0) / 1000, 6);
    expect(duration.buckets.get("+Inf")).toBe(served.length);
    const bounds = [...duration.buckets.keys()].filter((b) => b !== "+Inf").map(Number).sort((a, b) => a - b);
    expect(bounds.length).toBeGreaterThan(5);
    for (const b of bounds) expect(duration.buckets.get(String(b)), `le=${b}`).toBe(served.filter((r) => r.latency_ms / 1000 <= b).length);

    const streamed = rows.filter((r) => r.served_model === traffic.models.awkward && r.ttft_ms !== null);
    expect(streamed.length).toBeGreaterThan(0);
    expect(histogram(afterPlain, "switchyard_ttft_seconds", { model: traffic.models.awkward }).count).toBe(streamed.length);
  });
});

describe("label escaping and the breaker gauge", () => {
  it("escapes backslashes, quotes and line feeds in label values", async () => {
    const name = 'back\\slash "quoted"\nsecond line';
    const provider = await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "sim-esc", kind: "simulator" } }));
    const model = await must(
      await server.admin("/api/admin/models", {
        method: "POST",
        json: { name: "esc-model", providerId: provider.id, upstreamModel: "x", inputPricePerMTok: 1, outputPricePerMTok: 1, simulator: { ttftMs: 1, tokensPerSecond: 5000 } },
      }),
    );
    const team = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name } }));
    const key = await must(await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } }));
    await (await chat(server, key.key, { model: model.name })).arrayBuffer();
    const { text, families } = await scrape();
    expect(text).toContain('team="back\\\\slash \\"quoted\\"\\nsecond line"');
    expect(value(families, "switchyard_requests_total", { team: name, model: "esc-model", status: "ok" })).toBe(1);
  });

  it("reports each model's breaker: 0 closed, 2 open after its upstream keeps failing", async () => {
    const { families } = await scrape();
    const models = family(families, "switchyard_breaker_state").metrics.map((m) => m.labels!.model);
    expect(models).toEqual(expect.arrayContaining(["esc-model"]));
    expect(value(families, "switchyard_breaker_state", { model: "esc-model" })).toBe(0);

    const failing = (await must(await server.admin("/api/admin/models"))).data.find((m: any) => m.name.startsWith("failing-")).name as string;
    const team = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "breaker-team" } }));
    const key = (await must(await server.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "k" } }))).key as string;
    for (let i = 0; i < 6; i++) await (await chat(server, key, { model: failing })).arrayBuffer();
    expect(value((await scrape()).families, "switchyard_breaker_state", { model: failing })).toBe(2);
  });
});
