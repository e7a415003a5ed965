/**
 * The request log through the built server: pages walked by cursor cover every row once, newest
 * first; every filter matches the table; a team key and a member see only their own; bad input is
 * a 400 in OpenAI's shape; and the timings recorded for a request come back with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../../helpers/server";
import { call, createPerson, expectError, signIn, uiStreamEvents, userMessage } from "../access/helpers";
import { allRows, must, sendTraffic, TRAFFIC_ROWS, type Traffic } from "./helpers";

let server: TestServer;
let traffic: Traffic;
let rows: Array<Record<string, any>>;
let member: { id: string; cookie: string };
let other: { id: string; cookie: string };

type Entry = Record<string, any>;

const get = (path: string, auth: { bearer?: string; cookie?: string } = { bearer: ADMIN_TOKEN }) => call(server, path, auth);

/** Every page of a query, following nextCursor; fails on a page that repeats a row. */
async function walk(query: string, auth?: { bearer?: string; cookie?: string }, base = "/api/usage/requests"): Promise<{ entries: Entry[]; pages: number }> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q = new URLSearchParams(query);
    if (cursor) q.set("cursor", cursor);
    const page = await must<{ data: Entry[]; nextCursor: string | null }>(await get(`${base}?${q}`, auth));
    pages++;
    entries.push(...page.data);
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error("the cursor never ends");
  } while (cursor);
  return { entries, pages };
}

/** The table's rows in the log's order. */
const newestFirst = (list: Array<Record<string, any>>) => [...list].sort((a, b) => b.created_at - a.created_at || b.id - a.id);
const ids = (list: Array<Record<string, any>>): number[] => list.map((r) => r.id as number);

async function chatAs(cookie: string, model: string) {
  const conv = await (await call(server, "/api/conversations", { method: "POST", cookie, json: { model } })).json();
  const res = await call(server, "/api/chat", { method: "POST", cookie, json: { id: conv.id, messages: [userMessage("Describe a freight yard")] } });
  expect(res.status).toBe(200);
  await uiStreamEvents(res);
}

beforeAll(async () => {
  server = await startServer();
  traffic = await sendTraffic(server, "log");
  for (const [i, email] of ["member@log.test", "other@log.test"].entries()) {
    const person = await createPerson(server, { email, password: "password-of-someone", role: "member", teamIds: [traffic.teamB.id] });
    const who = { id: person.id, cookie: await signIn(server, person) };
    if (i === 0) member = who;
    else other = who;
  }
  await chatAs(member.cookie, traffic.models.plain);
  await chatAs(member.cookie, traffic.models.plain);
  await chatAs(other.cookie, traffic.models.plain);
  rows = await allRows(server, TRAFFIC_ROWS + 3);
});

afterAll(async () => {
  await server?.stop();
});

describe("paging", () => {
  it("walks every row once, newest first, whatever the page size", async () => {
    const want = ids(newestFirst(rows));
    for (const limit of [1, 7, 50]) {
      const { entries, pages } = await walk(`from=2000-01-01&limit=${limit}`);
      expect(ids(entries)).toEqual(want);
      expect(pages).toBe(Math.ceil(want.length / limit));
    }
  });

  it("ends with nextCursor null, and a page exactly at the end says so", async () => {
    const all = await must(await get(`/api/usage/requests?from=2000-01-01&limit=${rows.length}`));
    expect(all.data).toHaveLength(rows.length);
    expect(all.nextCursor).toBeNull();
  });

  it("keeps its place while new rows arrive: a page after a cursor never repeats or skips a row", async () => {
    const first = await must(await get("/api/usage/requests?from=2000-01-01&limit=5"));
    await chatAs(other.cookie, traffic.models.plain);
    rows = await allRows(server, rows.length + 1);
    const second = await must(await get(`/api/usage/requests?from=2000-01-01&limit=5&cursor=${first.nextCursor}`));
    // The new row is newer than the first page, so the second page is exactly the next five old rows.
    const old = newestFirst(rows).filter((r) => r.id !== Math.max(...rows.map((x) => x.id)));
    expect(ids(second.data)).toEqual(ids(old.slice(5, 10)));
  });
});

describe("filters", () => {
  it.each([
    ["teamId", () => traffic.teamB.id, (r: Record<string, any>) => r.team_id === traffic.teamB.id],
    ["model", () => traffic.models.plain, (r: Record<string, any>) => r.served_model === traffic.models.plain],
    ["route", () => traffic.route.name, (r: Record<string, any>) => r.route_id === traffic.route.id],
    ["status", () => "rejected", (r: Record<string, any>) => r.status === "rejected"],
    ["status", () => "rate_limited", (r: Record<string, any>) => r.status === "rate_limited"],
    ["endpoint", () => "chat", (r: Record<string, any>) => r.endpoint === "chat"],
  ])("%s=%s matches the table", async (param, value, match) => {
    const { entries } = await walk(`from=2000-01-01&limit=4&${param}=${encodeURIComponent(value())}`);
    const want = newestFirst(rows).filter(match);
    expect(want.length).toBeGreaterThan(0);
    expect(ids(entries)).toEqual(ids(want));
  });

  it("filters by key and by user, and combines filters", async () => {
    const keyId = rows.find((r) => r.team_id === traffic.teamLimited.id)!.key_id;
    expect(ids((await walk(`from=2000-01-01&keyId=${keyId}`)).entries)).toEqual(ids(newestFirst(rows).filter((r) => r.key_id === keyId)));
    expect(ids((await walk(`from=2000-01-01&userId=${member.id}`)).entries)).toEqual(ids(newestFirst(rows).filter((r) => r.user_id === member.id)));
    const both = await walk(`from=2000-01-01&teamId=${traffic.teamA.id}&status=ok&model=${encodeURIComponent(traffic.models.plain)}`);
    const want = newestFirst(rows).filter((r) => r.team_id === traffic.teamA.id && r.status === "ok" && r.served_model === traffic.models.plain);
    expect(want.length).toBeGreaterThan(0);
    expect(ids(both.entries)).toEqual(ids(want));
  });

  it("takes a time range, `to` exclusive", async () => {
    const mid = new Date(traffic.midpoint).toISOString();
    const after = await walk(`from=${mid}`);
    const before = await walk(`from=2000-01-01&to=${mid}`);
    expect(ids(after.entries)).toEqual(ids(newestFirst(rows).filter((r) => r.created_at >= traffic.midpoint)));
    expect(ids(before.entries)).toEqual(ids(newestFirst(rows).filter((r) => r.created_at < traffic.midpoint)));
  });
});

describe("an entry", () => {
  it("carries names, money in USD and the request's timings", async () => {
    const { entries } = await walk(`from=2000-01-01&teamId=${traffic.teamA.id}&status=ok`);
    const streamed = entries.find((e) => e.stream);
    expect(streamed).toBeDefined();
    const row = rows.find((r) => r.id === streamed!.id)!;
    expect(streamed).toMatchObject({
      requestId: row.request_id,
      createdAt: new Date(row.created_at).toISOString(),
      teamId: traffic.teamA.id,
      teamName: traffic.teamA.name,
      keyName: "usage test",
      userEmail: null,
      status: "ok",
      httpStatus: 200,
      attempts: 1,
      fallbackUsed: false,
      costUsd: row.cost_micros / 1e6,
      latencyMs: row.latency_ms,
      ttftMs: row.ttft_ms,
      queueMs: row.queue_ms,
      firstByteMs: row.first_byte_ms,
    });
    // Each stage ends after the one before it.
    expect(streamed!.queueMs).toBeGreaterThanOrEqual(0);
    expect(streamed!.firstByteMs).toBeGreaterThanOrEqual(streamed!.queueMs);
    expect(streamed!.ttftMs).toBeGreaterThanOrEqual(streamed!.firstByteMs);
    expect(streamed!.latencyMs).toBeGreaterThanOrEqual(streamed!.ttftMs);

    const routed = entries.find((e) => e.routeId === traffic.route.id)!;
    expect(routed).toMatchObject({ routeName: traffic.route.name, variant: expect.stringMatching(/^(control|candidate)$/) });
    const refused = (await walk("from=2000-01-01&status=rejected")).entries[0]!;
    expect(refused).toMatchObject({ httpStatus: 404, errorType: expect.any(String), queueMs: null, firstByteMs: null, costUsd: 0 });
  });

  it("names the person behind a chat", async () => {
    const { entries } = await walk(`from=2000-01-01&userId=${member.id}`);
    expect(entries.length).toBe(2);
    for (const e of entries) expect(e).toMatchObject({ userEmail: "member@log.test", teamId: traffic.teamB.id, keyId: null });
  });
});

describe("who sees what", () => {
  it("a team key sees its own team only, and a 403 for another team", async () => {
    const own = await walk("from=2000-01-01&limit=3", { bearer: traffic.teamA.key });
    expect(ids(own.entries)).toEqual(ids(newestFirst(rows).filter((r) => r.team_id === traffic.teamA.id)));
    const error = await expectError(await get(`/api/usage/requests?teamId=${traffic.teamB.id}`, { bearer: traffic.teamA.key }), 403);
    expect(error.code).toBe("forbidden");
  });

  it("a member is refused the team-wide log, and gets their own rows at /api/me/usage/requests", async () => {
    await expectError(await get("/api/usage/requests", { cookie: member.cookie }), 403);
    const own = await walk("from=2000-01-01&limit=1", { cookie: member.cookie }, "/api/me/usage/requests");
    expect(ids(own.entries)).toEqual(ids(newestFirst(rows).filter((r) => r.user_id === member.id)));
    // Asking for someone else's rows is refused, not silently narrowed.
    const error = await expectError(await get(`/api/me/usage/requests?userId=${other.id}`, { cookie: member.cookie }), 400);
    expect(error.param).toBe("userId");
    await expectError(await get("/api/me/usage/requests", { bearer: ADMIN_TOKEN }), 401);
  });

  it("a member's summary is their own spend and their team's budget", async () => {
    const summary = await must(await get("/api/me/usage", { cookie: member.cookie }));
    const mine = rows.filter((r) => r.user_id === member.id);
    expect(summary.today).toEqual({ requests: mine.length, spentUsd: mine.reduce((s, r) => s + r.cost_micros, 0) / 1e6 });
    expect(summary.team).toMatchObject({ id: traffic.teamB.id, name: traffic.teamB.name, daily: { capUsd: null, leftUsd: null } });
  });
});

describe("bad input", () => {
  it.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["status=broken", "status"],
    ["endpoint=images", "endpoint"],
    ["from=yesterday", "from"],
    ["from=2026-02-01&to=2026-01-01", "from"],
    ["cursor=not-a-cursor", "cursor"],
    [`cursor=${Buffer.from("1.x").toString("base64url")}`, "cursor"],
    ["colour=blue", "colour"],
  ])("%s → 400 naming %s", async (query, param) => {
    const error = await expectError(await get(`/api/usage/requests?${query}`), 400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe(param);
  });
});
