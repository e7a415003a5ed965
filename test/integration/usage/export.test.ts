/**
 * The CSV export through the built server, read back with csv-parse: awkward values survive the
 * round trip exactly (formula-looking ones neutralised), grouped totals equal the raw rows to the
 * micro-dollar, filters and team scoping hold, and a client that goes away stops the stream
 * while the gateway keeps writing usage.
 */
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { allRows, AWKWARD_MODEL, AWKWARD_TEAM, chat, sendTraffic, TRAFFIC_ROWS, type Traffic } from "./helpers";

let server: TestServer;
let traffic: Traffic;
let rows: Array<Record<string, any>>;

const HEADER = [
  "request_id", "created_at", "endpoint", "team_id", "team_name", "key_id", "user_id", "route_id", "variant", "sticky_key",
  "requested_model", "served_model", "provider_id", "attempts", "fallback_used", "stream", "status", "http_status",
  "error_type", "prompt_tokens", "completion_tokens", "cost_usd", "latency_ms", "ttft_ms", "user_email", "key_name",
];
const NUMERIC = new Set(["attempts", "http_status", "prompt_tokens", "completion_tokens", "latency_ms", "ttft_ms"]);

const get = (path: string, token = ADMIN_TOKEN, init: RequestInit = {}) =>
  fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${token}` } });

/** Strict RFC 4180: records end in CRLF only, so a bare LF line end would fail the parse. */
function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: "\r\n", relax_quotes: false, relax_column_count: false }) as string[][];
}

async function csv(path: string, token = ADMIN_TOKEN): Promise<{ header: string[]; records: Array<Record<string, string>>; text: string; res: Response }> {
  const res = await get(path, token);
  expect(res.status, path).toBe(200);
  const text = await res.text();
  expect(text.endsWith("\r\n")).toBe(true);
  const [header, ...body] = parseCsv(text);
  return { header: header!, records: body.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))), text, res };
}

/** What a cell must hold, written out independently of the server's formatter. */
function expectedCell(column: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (column === "created_at") return new Date(Number(value)).toISOString();
  if (column === "cost_micros") return (Number(value) / 1e6).toFixed(6);
  if (column === "fallback_used" || column === "stream") return value ? "true" : "false";
  if (NUMERIC.has(column)) return String(value);
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const microsOf = (usd: string) => Number(usd.replace(".", ""));
const sumOf = (records: Array<Record<string, string>>, f: string) => records.reduce((s, r) => s + Number(r[f]), 0);

beforeAll(async () => {
  server = await startServer();
  traffic = await sendTraffic(server, "exp");
  rows = await allRows(server, TRAFFIC_ROWS);
});

afterAll(async () => {
  await server?.stop();
});

describe("raw export", () => {
  it("round-trips every row, awkward values included, as RFC 4180 with a download name", async () => {
    const { header, records, text, res } = await csv("/api/usage/export.csv?from=2000-01-01");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const today = new Date().toISOString().slice(0, 10);
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="switchyard-usage-2000-01-01-${today}T\\d{6}Z\\.csv"$`));
    expect(header).toEqual(HEADER);
    expect(records).toHaveLength(rows.length);

    const teams = new Map([traffic.teamA, traffic.teamB, traffic.teamLimited].map((t) => [t.id, t.name]));
    const sorted = [...rows].sort((a, b) => a.created_at - b.created_at || a.id - b.id);
    sorted.forEach((row, i) => {
      const want = Object.fromEntries(
        HEADER.map((h) => {
          if (h === "team_name") return [h, expectedCell(h, row.team_id ? teams.get(row.team_id) : null)];
          if (h === "cost_usd") return [h, expectedCell("cost_micros", row.cost_micros)];
          // Every key of the traffic is named so; API traffic carries no user.
          if (h === "key_name") return [h, row.key_id ? "usage test" : ""];
          if (h === "user_email") return [h, ""];
          return [h, expectedCell(h, row[h])];
        }),
      );
      expect(records[i]).toEqual(want);
    });

    // The awkward values, spelled out: neutralised, quoted, doubled quotes, Unicode intact.
    const teamCells = new Set(records.map((r) => r.team_name));
    expect(teamCells).toContain(`'${AWKWARD_TEAM("exp")}`);
    expect(text).toContain(`"'${AWKWARD_TEAM("exp").replaceAll('"', '""')}"`);
    expect(records.map((r) => r.served_model)).toContain(`'${AWKWARD_MODEL("exp")}`);
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y""),ü-exp"`);
    const requested = new Set(records.map((r) => r.requested_model));
    for (const bogus of traffic.bogusModels) expect(requested).toContain(/^[=+\-@\t\r]/.test(bogus) ? `'${bogus}` : bogus);
    expect(requested).toContain("🚂 \"express\", exp");
    const sticky = new Set(records.map((r) => r.sticky_key));
    for (const user of traffic.users) expect(sticky).toContain(`user:${user}`);
    // A formula sign inside a field is left alone; only the first character matters.
    expect(sticky).toContain("user:=1+2");
  });

  it("names the file after the range's first and last day (`to` is exclusive)", async () => {
    const month = await get("/api/usage/export.csv?from=2026-11-01&to=2026-12-01");
    expect(month.headers.get("content-disposition")).toBe('attachment; filename="switchyard-usage-2026-11-01-2026-11-30.csv"');
    await month.text();
    const day = await get("/api/usage/export.csv?from=2026-11-05&to=2026-11-06&rows=grouped");
    expect(day.headers.get("content-disposition")).toBe('attachment; filename="switchyard-usage-2026-11-05-2026-11-05.csv"');
    await day.text();
  });

  it("respects team, model, route and time filters", async () => {
    const team = await csv(`/api/usage/export.csv?teamId=${traffic.teamB.id}`);
    expect(team.records.length).toBe(rows.filter((r) => r.team_id === traffic.teamB.id).length);
    expect(team.records.every((r) => r.team_id === traffic.teamB.id)).toBe(true);

    const model = await csv(`/api/usage/export.csv?model=${encodeURIComponent(traffic.models.plain)}`);
    expect(model.records.length).toBe(rows.filter((r) => r.served_model === traffic.models.plain).length);
    expect(model.records.every((r) => r.served_model === traffic.models.plain)).toBe(true);

    const route = await csv(`/api/usage/export.csv?route=${traffic.route.name}`);
    expect(route.records.length).toBe(16);
    expect(route.records.every((r) => r.route_id === traffic.route.id)).toBe(true);

    const mid = new Date(traffic.midpoint).toISOString();
    const after = await csv(`/api/usage/export.csv?from=${mid}`);
    const before = await csv(`/api/usage/export.csv?from=2000-01-01&to=${mid}`);
    expect(after.records.length).toBe(rows.filter((r) => r.created_at >= traffic.midpoint).length);
    expect(before.records.length).toBe(rows.filter((r) => r.created_at < traffic.midpoint).length);
    expect(after.records.length + before.records.length).toBe(rows.length);
    expect(after.records.every((r) => Date.parse(r.created_at!) >= traffic.midpoint)).toBe(true);
  });

  it("gives a team key its own rows only, and a 403 for another team's", async () => {
    const own = await csv("/api/usage/export.csv", traffic.teamA.key);
    expect(own.records.length).toBe(rows.filter((r) => r.team_id === traffic.teamA.id).length);
    expect(new Set(own.records.map((r) => r.team_id))).toEqual(new Set([traffic.teamA.id]));
    const other = await get(`/api/usage/export.csv?teamId=${traffic.teamB.id}&rows=grouped`, traffic.teamA.key);
    expect(other.status).toBe(403);
    expect((await other.json()).error.code).toBe("forbidden");
    const grouped = await csv("/api/usage/export.csv?rows=grouped&groupBy=team", traffic.teamA.key);
    expect(grouped.records.map((r) => r.key)).toEqual([traffic.teamA.id]);
  });
});

describe("grouped export", () => {
  it("sums to the raw rows to the micro-dollar, whatever the grouping", async () => {
    const raw = await csv("/api/usage/export.csv?rows=raw");
    const rawMicros = raw.records.reduce((s, r) => s + microsOf(r.cost_usd!), 0);
    expect(rawMicros).toBe(rows.reduce((s, r) => s + r.cost_micros, 0));
    for (const groupBy of ["day", "team", "model", "variant"]) {
      const grouped = await csv(`/api/usage/export.csv?rows=grouped&groupBy=${groupBy}`);
      expect(grouped.header.slice(0, 3)).toEqual(["key", "label", "requests"]);
      expect(grouped.records.reduce((s, r) => s + microsOf(r.cost_usd!), 0), groupBy).toBe(rawMicros);
      expect(sumOf(grouped.records, "requests"), groupBy).toBe(raw.records.length);
      expect(sumOf(grouped.records, "prompt_tokens"), groupBy).toBe(sumOf(raw.records, "prompt_tokens"));
      expect(sumOf(grouped.records, "completion_tokens"), groupBy).toBe(sumOf(raw.records, "completion_tokens"));
      expect(grouped.records.every((r) => /^\d+\.\d{6}$/.test(r.cost_usd!))).toBe(true);
    }
    const byModel = await csv("/api/usage/export.csv?rows=grouped&groupBy=model");
    const awkward = byModel.records.find((r) => r.label === `'${AWKWARD_MODEL("exp")}`);
    expect(awkward?.key).toBe(`'${AWKWARD_MODEL("exp")}`);
  });
});

describe("streaming", () => {
  const BULK = 60_000;
  const FROM = "2001-01-01";
  const TO = "2001-02-01";

  beforeAll(() => {
    // Many old rows, outside every other test's range, so the export outlasts the socket buffers.
    const db = new Database(server.dbPath);
    db.pragma("busy_timeout = 5000");
    const insert = db.prepare(
      "insert into usage (request_id, created_at, team_id, status, http_status, cost_micros, latency_ms, sticky_key) values (?, ?, ?, 'ok', 200, ?, ?, ?)",
    );
    const start = Date.parse(`${FROM}T00:00:00Z`);
    db.transaction(() => {
      for (let i = 0; i < BULK; i++) insert.run(`req_bulk_${i}`, start + i * 1000, traffic.teamB.id, i, 100 + (i % 50), `padding ${"x".repeat(200)}`);
    })();
    db.close();
  });

  const activeExports = async () => Number(/^switchyard_usage_exports_active (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);

  it("stops reading the database when the client disconnects, and never blocks usage writes", async () => {
    const controller = new AbortController();
    const res = await get(`/api/usage/export.csv?from=${FROM}&to=${TO}`, ADMIN_TOKEN, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(await activeExports()).toBe(1);

    // The export holds an open cursor; the gateway must still record a request meanwhile.
    const sentAt = Date.now();
    const answer = await chat(server, traffic.teamB.key, { model: traffic.models.plain });
    expect(answer.status).toBe(200);
    await answer.arrayBuffer();
    const recorded = () => (server.db().prepare("select count(*) as n from usage where created_at >= ?").get(sentAt) as { n: number }).n;
    const deadline = Date.now() + 5000;
    while (recorded() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(recorded()).toBe(1);

    controller.abort();
    await reader.cancel().catch(() => {});
    const until = Date.now() + 5000;
    while ((await activeExports()) !== 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await activeExports()).toBe(0);
  });

  it("delivers every row when read to the end", async () => {
    const res = await get(`/api/usage/export.csv?from=${FROM}&to=${TO}`);
    const text = await res.text();
    const records = parseCsv(text);
    expect(records).toHaveLength(BULK + 1);
    expect(records.at(-1)![0]).toBe(`req_bulk_${BULK - 1}`);
    expect(await activeExports()).toBe(0);
  });
});
