/**
 * The usage and report queries on SQLite and Postgres: the same usage rows seeded into both, the
 * same cases run on each against numbers worked out from the seed, and every report compared
 * between the two, groups, order, null keys, samples and all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { getPgDb } from "@/db/client-pg";
import type { UsageFilter, UsageGroupBy } from "@/db/queries/usage-reports";
import type { RequestLogFilter, RequestLogRow } from "@/db/queries/usage-requests";
import * as sqliteSchema from "@/db/schema";
import type { NewUsageRow } from "@/db/schema";
import * as pgSchema from "@/db/schema-pg";
import { dialects, iterate, openBoth, readAll, type Dialect } from "../../helpers/query-dialects";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 5);
const [sqlite, postgres] = dialects as [Dialect, Dialect];

const TEAMS = { "t-alpha": '+Acme, "Data" ✓ 東京', "t-Beta": "beta", "t-ümlaut": "ümlaut" };
const KEYS = { "k-alpha": ["t-alpha", "alpha key"], "k-beta": ["t-Beta", "beta, \"quoted\""] } as const;
const USERS = { "u-1": "one@example.com", "u-2": "zwei@example.com" };
const ROUTES = { "r-split": "split", "r-other": "other" };

/** A small deterministic generator (mulberry32), so both databases get the same rows every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HTTP = { ok: 200, error: 502, rate_limited: 429, budget_exceeded: 429, aborted: 499, rejected: 401 } as const;

/**
 * 300 varied rows over five days: on the hour, so many share an instant; some on a day's first or
 * last ms; teams, keys and users that exist, one each that was deleted, and none; rows without a
 * route that still carry a variant; names whose byte order differs from a case-blind one.
 */
function variedRows(): NewUsageRow[] {
  const r = random(16);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: 300 }, (_, i) => {
    const status = pick(["ok", "ok", "ok", "error", "rate_limited", "budget_exceeded", "aborted", "rejected"] as const);
    const routeId = pick(["r-split", "r-other", null, null]);
    const cache = pick(["hit", "miss", null]);
    const createdAt = i % 37 === 0 ? BASE + ((i % 5) + 1) * DAY - 1 : BASE + Math.floor(r() * 5 * 24) * HOUR;
    return {
      requestId: `req-${i}`,
      endpoint: pick(["chat", "chat", "embeddings", "responses"]),
      createdAt,
      teamId: pick(["t-alpha", "t-Beta", "t-ümlaut", "t-gone", null]),
      keyId: pick(["k-alpha", "k-beta", "k-gone", null]),
      userId: pick(["u-1", "u-2", "u-gone", null]),
      routeId,
      variant: routeId ? pick(["control", "candidate", null]) : pick([null, "control"]),
      stickyKey: pick([null, "user:x", "conversation:c1"]),
      requestedModel: pick(["gpt-a", "split", null]),
      servedModel: pick(["gpt-a", "Model-B", "zeta-ü", null]),
      providerId: pick(["p1", null]),
      attempts: 1 + Math.floor(r() * 3),
      fallbackUsed: r() < 0.2,
      stream: r() < 0.5,
      status,
      httpStatus: HTTP[status],
      errorType: status === "ok" ? null : pick(["upstream_error", "timeout"]),
      promptTokens: Math.floor(r() * 2000),
      completionTokens: Math.floor(r() * 800),
      costMicros: Math.floor(r() * 50_000),
      latencyMs: Math.floor(r() * 3000),
      ttftMs: r() < 0.3 ? null : Math.floor(r() * 500),
      queueMs: r() < 0.5 ? null : Math.floor(r() * 5),
      firstByteMs: r() < 0.5 ? null : Math.floor(r() * 900),
      cache,
      savedMicros: cache === "hit" ? Math.floor(r() * 10_000) : 0,
    };
  });
}

/** Day 6: five rows whose report is worked out by hand below. */
const DAY6 = BASE + 6 * DAY;
const HAND_ROWS: NewUsageRow[] = [
  { requestId: "hand-1", createdAt: DAY6 + 10, teamId: "t-alpha", servedModel: "gpt-a", status: "ok", httpStatus: 200, latencyMs: 300, ttftMs: 40, promptTokens: 10, completionTokens: 20, costMicros: 1_000, cache: "hit", savedMicros: 500 },
  { requestId: "hand-2", createdAt: DAY6 + 20, teamId: "t-alpha", servedModel: "gpt-a", status: "ok", httpStatus: 200, latencyMs: 100, ttftMs: null, promptTokens: 5, costMicros: 2_000 },
  { requestId: "hand-3", createdAt: DAY6 + 30, teamId: "t-Beta", servedModel: "gpt-a", status: "error", httpStatus: 502, latencyMs: 900, ttftMs: 5 },
  { requestId: "hand-4", createdAt: DAY6 + 40, status: "rate_limited", httpStatus: 429 },
  { requestId: "hand-5", createdAt: DAY + DAY6 - 1, status: "rejected", httpStatus: 401 },
];

/** Day 10: more rows than one batch of the Postgres raw cursor, on three instants, interleaved. */
const DAY10 = BASE + 10 * DAY;
const BULK_ROWS: NewUsageRow[] = Array.from({ length: 4_100 }, (_, i) => ({
  requestId: `bulk-${i}`, createdAt: DAY10 + (i % 3), teamId: "t-alpha", status: "ok", httpStatus: 200, latencyMs: i,
}));

const SEED = [...variedRows(), ...HAND_ROWS, ...BULK_ROWS];
// Ids are given in insertion order on both databases.
const SEEDED = SEED.map((row, i) => ({ ...row, id: i + 1 }));

async function seedNames(): Promise<void> {
  const at = { createdAt: 1, updatedAt: 1 };
  const teams = Object.entries(TEAMS).map(([id, name]) => ({ id, name, ...at }));
  const keys = Object.entries(KEYS).map(([id, [teamId, name]]) => ({ id, teamId, name, prefix: id, keyHash: `hash-${id}`, createdAt: 1 }));
  const users = Object.entries(USERS).map(([id, email]) => ({ id, email, name: id, createdAt: new Date(1), updatedAt: new Date(1) }));
  const routes = Object.entries(ROUTES).map(([id, name]) => ({
    id, name, seed: id, status: "running" as const, controlModel: "gpt-a", stages: [5, 100], stageStartedAt: 1, guardrails: {}, ...at,
  }));
  const s = getDb();
  s.insert(sqliteSchema.teams).values(teams).run();
  s.insert(sqliteSchema.apiKeys).values(keys).run();
  s.insert(sqliteSchema.users).values(users).run();
  s.insert(sqliteSchema.routes).values(routes).run();
  const p = getPgDb();
  await p.insert(pgSchema.teams).values(teams);
  await p.insert(pgSchema.apiKeys).values(keys);
  await p.insert(pgSchema.users).values(users);
  await p.insert(pgSchema.routes).values(routes);
}

let both: { close(): Promise<void> };
beforeAll(async () => {
  both = await openBoth();
  await seedNames();
  for (const d of dialects) await d.usage.insertUsageBatch(SEED);
});
afterAll(async () => {
  await both?.close();
});

const FIVE_DAYS: UsageFilter = { from: BASE, to: BASE + 5 * DAY };
const ALL_DAYS: UsageFilter = { from: BASE - DAY, to: BASE + 20 * DAY };
const FILTERS: Record<string, UsageFilter> = {
  "five days": FIVE_DAYS,
  "every day": ALL_DAYS,
  "one team": { ...FIVE_DAYS, teamId: "t-alpha" },
  "one model": { ...FIVE_DAYS, model: "zeta-ü" },
  "one route": { ...FIVE_DAYS, routeId: "r-split" },
  "one endpoint": { ...FIVE_DAYS, endpoint: "embeddings" },
  "team and endpoint": { ...FIVE_DAYS, teamId: "t-Beta", endpoint: "chat" },
  "an unknown team": { ...FIVE_DAYS, teamId: "t-none" },
  "part of two days": { from: BASE + DAY + 13 * HOUR, to: BASE + 3 * DAY + 5 * HOUR },
  "an empty range": { from: BASE + DAY, to: BASE + DAY },
};

function matches(row: NewUsageRow, f: RequestLogFilter): boolean {
  const eq = (want: string | undefined, got: string | null | undefined) => want === undefined || want === got;
  return (
    row.createdAt >= f.from && row.createdAt < f.to && eq(f.teamId, row.teamId) && eq(f.keyId, row.keyId) && eq(f.userId, row.userId) &&
    eq(f.model, row.servedModel) && eq(f.routeId, row.routeId) && eq(f.status, row.status) && eq(f.endpoint, row.endpoint ?? "chat")
  );
}

const seeded = (f: RequestLogFilter) => SEEDED.filter((row) => matches(row, f));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const oldestFirst = <T extends { createdAt: number; id: number }>(rows: T[]) => [...rows].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);

describe.each(dialects)("report queries on $name", ({ reports, requests, usage }) => {
  it("the hand-worked day: counts per status, sums, sorted samples without nulls, cache savings", async () => {
    const filter = { from: DAY6, to: DAY6 + DAY };
    expect(await reports.groupUsage({ filter, groupBy: "day" })).toEqual([
      {
        key: [DAY6],
        agg: {
          requests: 5, ok: 2, errors: 1, rateLimited: 1, budgetExceeded: 0, aborted: 0, rejected: 1,
          promptTokens: 15, completionTokens: 20, costMicros: 3_000,
          latenciesMs: Int32Array.from([100, 300]), ttftsMs: Int32Array.from([40]),
        },
      },
    ]);
    expect((await reports.groupUsage({ filter, groupBy: "team" })).map((g) => [g.key, g.agg.requests])).toEqual([
      [["t-Beta"], 1], [["t-alpha"], 2], [[null], 2],
    ]);
    expect(await reports.cacheSavings(filter)).toEqual({ hits: 1, savedMicros: 500 });
    expect(await reports.spendBy({ filter, by: "model" })).toEqual([
      { key: "gpt-a", requests: 3, promptTokens: 15, completionTokens: 20, costMicros: 3_000 },
      { key: null, requests: 2, promptTokens: 0, completionTokens: 0, costMicros: 0 },
    ]);
  });

  it("groups by team, model and variant in byte order, a null key last and a null variant first", async () => {
    const keys = async (groupBy: UsageGroupBy) => (await reports.groupUsage({ filter: FIVE_DAYS, groupBy })).map((g) => g.key);
    expect(await keys("team")).toEqual([["t-Beta"], ["t-alpha"], ["t-gone"], ["t-ümlaut"], [null]]);
    expect(await keys("model")).toEqual([["Model-B"], ["gpt-a"], ["zeta-ü"], [null]]);
    expect(await keys("variant")).toEqual([
      ["r-other", null], ["r-other", "candidate"], ["r-other", "control"],
      ["r-split", null], ["r-split", "candidate"], ["r-split", "control"],
      [null, null],
    ]);
    expect((await keys("day")).map(([day]) => (day as number) - BASE)).toEqual([0, 1, 2, 3, 4].map((d) => d * DAY));
  });

  it("every grouping partitions the filtered rows: requests, cost and samples add up to the seed's", async () => {
    for (const filter of Object.values(FILTERS)) {
      const rows = seeded(filter);
      const ok = rows.filter((r) => r.status === "ok");
      for (const groupBy of ["day", "team", "model", "variant"] as const) {
        const groups = await reports.groupUsage({ filter, groupBy });
        expect(sum(groups.map((g) => g.agg.requests))).toBe(rows.length);
        expect(sum(groups.map((g) => g.agg.costMicros))).toBe(sum(rows.map((r) => r.costMicros ?? 0)));
        expect(sum(groups.map((g) => g.agg.ok))).toBe(ok.length);
        expect(groups.flatMap((g) => [...g.agg.latenciesMs]).sort((a, b) => a - b)).toEqual(ok.map((r) => r.latencyMs ?? 0).sort((a, b) => a - b));
        for (const g of groups) expect(g.agg.requests).toBeGreaterThan(0);
      }
      const byKey = await reports.spendBy({ filter, by: "key" });
      expect(sum(byKey.map((s) => s.promptTokens))).toBe(sum(rows.map((r) => r.promptTokens ?? 0)));
      const hits = rows.filter((r) => r.cache === "hit");
      expect(await reports.cacheSavings(filter)).toEqual({ hits: hits.length, savedMicros: sum(hits.map((r) => r.savedMicros ?? 0)) });
    }
  });

  it("a pinned team, model or route is the only group, and an empty range has none", async () => {
    expect((await reports.groupUsage({ filter: FILTERS["one team"]!, groupBy: "team" })).map((g) => g.key)).toEqual([["t-alpha"]]);
    expect((await reports.spendBy({ filter: FILTERS["one model"]!, by: "model" })).map((s) => s.key)).toEqual(["zeta-ü"]);
    const routeKeys = (await reports.groupUsage({ filter: FILTERS["one route"]!, groupBy: "variant" })).map((g) => g.key[0]);
    expect(new Set(routeKeys)).toEqual(new Set(["r-split"]));
    expect(await reports.groupUsage({ filter: FILTERS["an unknown team"]!, groupBy: "team" })).toEqual([]);
    for (const groupBy of ["day", "team", "model", "variant"] as const) {
      expect(await reports.groupUsage({ filter: FILTERS["an empty range"]!, groupBy })).toEqual([]);
    }
    expect(await reports.spendBy({ filter: { from: 10, to: 5 }, by: "team" })).toEqual([]);
  });

  it("the raw cursor gives every filtered row oldest first (ties by id), with team, user and key names joined", async () => {
    const cursor = reports.openRawUsageCursor({ filter: FIVE_DAYS });
    const rows = await readAll(cursor.rows);
    await cursor.close();
    const want = oldestFirst(seeded(FIVE_DAYS));
    expect(rows.map((r) => r[0])).toEqual(want.map((r) => r.requestId));
    const byId = new Map(rows.map((r) => [r[0], r]));
    for (const w of want) {
      const row = byId.get(w.requestId)!;
      expect(row[1]).toBe(w.createdAt);
      expect(row[4]).toBe(TEAMS[w.teamId as keyof typeof TEAMS] ?? null);
      expect(row[24]).toBe(USERS[w.userId as keyof typeof USERS] ?? null);
      expect(row[25]).toBe(KEYS[w.keyId as keyof typeof KEYS]?.[1] ?? null);
      expect([row[14], row[15]]).toEqual([w.fallbackUsed ? 1 : 0, w.stream ? 1 : 0]);
      expect(row[21]).toBe(w.costMicros);
    }
  });

  it("the raw cursor reads past a batch through thousands of rows that share instants, and close() stops it early", async () => {
    const filter = { from: DAY10, to: DAY10 + DAY };
    const all = reports.openRawUsageCursor({ filter });
    expect((await readAll(all.rows)).map((r) => r[0])).toEqual(oldestFirst(seeded(filter)).map((r) => r.requestId));
    await all.close();

    const early = reports.openRawUsageCursor({ filter });
    const it = iterate(early.rows);
    for (let i = 0; i < 10; i++) expect((await it.next()).done).toBe(false);
    await early.close();
    await early.close();
    expect((await it.next()).done).toBe(true);

    const unread = reports.openRawUsageCursor({ filter });
    await unread.close();
    expect(await readAll(unread.rows)).toEqual([]);
  });

  it("the request log pages newest first by (created_at, id) without repeating or skipping a row", async () => {
    const filter: RequestLogFilter = { from: BASE + DAY, to: BASE + 4 * DAY };
    const pages: RequestLogRow[][] = [];
    let cursor: { createdAt: number; id: number } | null = null;
    for (;;) {
      const page: RequestLogRow[] = await requests.listUsageRequests({ filter, cursor, limit: 7 });
      pages.push(page);
      if (page.length < 7) break;
      const last = page.at(-1)!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    expect(pages.length).toBeGreaterThan(10);
    expect(pages.flat().map((r) => r.id)).toEqual(oldestFirst(seeded(filter)).reverse().map((r) => r.id));
  });

  it("the request log applies each filter, and reads a row back whole with its joined names", async () => {
    const each: Array<Partial<RequestLogFilter>> = [
      { teamId: "t-alpha" }, { keyId: "k-beta" }, { userId: "u-2" }, { model: "Model-B" }, { routeId: "r-other" },
      { status: "budget_exceeded" }, { endpoint: "responses" }, { teamId: "t-ümlaut", status: "ok", endpoint: "chat" },
    ];
    for (const extra of each) {
      const filter = { ...FIVE_DAYS, ...extra };
      const rows = await requests.listUsageRequests({ filter, cursor: null, limit: 1_000 });
      expect(rows.map((r) => r.id), JSON.stringify(extra)).toEqual(oldestFirst(seeded(filter)).reverse().map((r) => r.id));
    }
    const [hand] = await requests.listUsageRequests({ filter: { from: DAY6, to: DAY6 + 11 }, cursor: null, limit: 1 });
    const id = SEEDED.find((r) => r.requestId === "hand-1")!.id;
    expect(hand).toEqual({
      id, requestId: "hand-1", endpoint: "chat", createdAt: DAY6 + 10, teamId: "t-alpha", teamName: TEAMS["t-alpha"], keyId: null, keyName: null,
      userId: null, userEmail: null, routeId: null, routeName: null, variant: null, stickyKey: null, requestedModel: null, servedModel: "gpt-a",
      providerId: null, attempts: 0, fallbackUsed: 0, stream: 0, status: "ok", httpStatus: 200, errorType: null, promptTokens: 10,
      completionTokens: 20, costMicros: 1_000, latencyMs: 300, ttftMs: 40, queueMs: null, firstByteMs: null, cache: "hit", savedMicros: 500,
    });
    expect(await requests.listUsageRequests({ filter: { from: 5, to: 5 }, cursor: null, limit: 10 })).toEqual([]);
  });

  it("the request log's plan can be explained", async () => {
    const lines = await requests.explainUsageRequests({ ...FIVE_DAYS, userId: "u-1" }, { createdAt: BASE + DAY, id: 10 }, 51);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(typeof line).toBe("string");
  });

  it("sums a team's and a person's spend since an instant", async () => {
    const since = BASE + 2 * DAY;
    const after = SEEDED.filter((r) => r.createdAt >= since);
    expect(await usage.sumTeamSpendSince({ teamId: "t-Beta", since })).toBe(sum(after.filter((r) => r.teamId === "t-Beta").map((r) => r.costMicros ?? 0)));
    const mine = after.filter((r) => r.userId === "u-1");
    expect(await requests.sumUserSpendSince({ userId: "u-1", since })).toEqual({ requests: mine.length, costMicros: sum(mine.map((r) => r.costMicros ?? 0)) });
    expect(await usage.sumTeamSpendSince({ teamId: "t-none", since: 0 })).toBe(0);
    expect(await requests.sumUserSpendSince({ userId: "u-none", since: 0 })).toEqual({ requests: 0, costMicros: 0 });
  });
});

describe("SQLite and Postgres give identical reports", () => {
  it("groups, spend and cache savings under every filter", async () => {
    for (const [name, filter] of Object.entries(FILTERS)) {
      for (const groupBy of ["day", "team", "model", "variant"] as const) {
        expect(await postgres.reports.groupUsage({ filter, groupBy }), `${name} by ${groupBy}`).toEqual(await sqlite.reports.groupUsage({ filter, groupBy }));
      }
      for (const by of ["team", "model", "key"] as const) {
        expect(await postgres.reports.spendBy({ filter, by }), `${name} spend by ${by}`).toEqual(await sqlite.reports.spendBy({ filter, by }));
      }
      expect(await postgres.reports.cacheSavings(filter), name).toEqual(await sqlite.reports.cacheSavings(filter));
    }
  });

  it("the raw export, every row and cell", async () => {
    const read = async (d: Dialect) => {
      const cursor = d.reports.openRawUsageCursor({ filter: ALL_DAYS });
      try {
        return await readAll(cursor.rows);
      } finally {
        await cursor.close();
      }
    };
    const rows = await read(postgres);
    expect(rows.length).toBe(seeded(ALL_DAYS).length);
    expect(rows).toEqual(await read(sqlite));
  });

  it("the request log, page by page, under each filter", async () => {
    for (const extra of [{}, { teamId: "t-alpha" }, { userId: "u-1" }, { endpoint: "chat", status: "ok" }]) {
      const filter = { ...ALL_DAYS, ...extra };
      let cursor: { createdAt: number; id: number } | null = null;
      for (let page = 0; page < 8; page++) {
        const want: RequestLogRow[] = await sqlite.requests.listUsageRequests({ filter, cursor, limit: 25 });
        expect(await postgres.requests.listUsageRequests({ filter, cursor, limit: 25 })).toEqual(want);
        if (want.length < 25) break;
        cursor = { createdAt: want.at(-1)!.createdAt, id: want.at(-1)!.id };
      }
    }
  });
});

describe.each(dialects)("insertUsageBatch on $name", ({ usage }) => {
  it("writes all of a batch or none of it", async () => {
    const row = (i: number): NewUsageRow => ({ requestId: `batch-${i}`, createdAt: BASE + 30 * DAY, teamId: "t-batch", status: "ok", httpStatus: 200, costMicros: 7 });
    const bad = { ...row(2), status: null } as unknown as NewUsageRow;
    await expect(async () => usage.insertUsageBatch([row(1), bad, row(3)])).rejects.toThrow();
    expect(await usage.sumTeamSpendSince({ teamId: "t-batch", since: 0 })).toBe(0);
    await usage.insertUsageBatch([row(1), row(3)]);
    expect(await usage.sumTeamSpendSince({ teamId: "t-batch", since: 0 })).toBe(14);
  });
});
