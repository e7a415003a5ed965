import { readFileSync } from "node:fs";
import { join } from "node:path";
import { asc, getTableName, is } from "drizzle-orm";
import { PgTable, getTableConfig } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePgDb, openPgDb, type PgDb } from "@/db/client-pg";
import { encodeArray } from "@/db/queries-pg/binary-array";
import { insertUsageBatch } from "@/db/queries-pg/usage";
import * as schema from "@/db/schema-pg";
import { usage, type NewUsageRow } from "@/db/schema-pg";
import { startPostgres, type TestPostgres } from "../../helpers/postgres-server";

const journal = JSON.parse(readFileSync(join(process.cwd(), "db/migrations-pg/meta/_journal.json"), "utf8")) as { entries: unknown[] };

let server: TestPostgres;
let dbCount = 0;
const freshDatabase = () => server.createDatabase(`t${++dbCount}`);

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

async function appliedMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>(`select count(*) as n from drizzle.__drizzle_migrations`);
    return Number(res.rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe("openPgDb", () => {
  it("applies the migrations: every table and index of the schema exists", async () => {
    const db = await openPgDb({ url: await freshDatabase() });
    try {
      const tables = Object.values(schema).filter((t: unknown): t is PgTable => is(t, PgTable));
      const { rows: found } = await db.$client.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public'`,
      );
      expect(found.map((r) => r.table_name).sort()).toEqual(tables.map(getTableName).sort());
      const { rows: indexes } = await db.$client.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = 'public'`);
      const names = new Set(indexes.map((r) => r.indexname));
      for (const t of tables) for (const i of getTableConfig(t).indexes) expect(names, i.config.name).toContain(i.config.name);
    } finally {
      await closePgDb(db);
    }
  });

  it("opening a migrated database again applies nothing twice", async () => {
    const url = await freshDatabase();
    await closePgDb(await openPgDb({ url }));
    await closePgDb(await openPgDb({ url }));
    expect(await appliedMigrations(url)).toBe(journal.entries.length);
  });

  it("several clients starting at once against an empty database all open, and migrate it once", async () => {
    const url = await freshDatabase();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => openPgDb({ url })));
    try {
      expect(await appliedMigrations(url)).toBe(journal.entries.length);
      for (const db of dbs) await expect(db.$client.query(`select count(*) from "usage"`)).resolves.toBeTruthy();
    } finally {
      await Promise.all(dbs.map(closePgDb));
    }
  });

  it("a missing migrations folder fails the open", async () => {
    await expect(openPgDb({ url: await freshDatabase(), migrationsFolder: "/nonexistent" })).rejects.toThrow();
  });
});

describe("insertUsageBatch", () => {
  let db: PgDb;
  beforeAll(async () => {
    db = await openPgDb({ url: await freshDatabase() });
  });
  afterAll(async () => {
    await closePgDb(db);
  });

  const full = (i: number, over: Partial<NewUsageRow> = {}): NewUsageRow => ({
    requestId: `req_${i}`,
    endpoint: "responses",
    createdAt: 1_800_000_000_000 + i,
    teamId: "team_1",
    keyId: "key_1",
    userId: "user_1",
    routeId: "route_1",
    variant: "candidate",
    stickyKey: "conversation:c1",
    requestedModel: "route-a",
    servedModel: "model-b",
    providerId: "prov_1",
    attempts: 2,
    fallbackUsed: true,
    stream: true,
    status: "ok",
    httpStatus: 200,
    errorType: null,
    promptTokens: 1234,
    completionTokens: 5678,
    costMicros: 42,
    latencyMs: 900,
    ttftMs: 120,
    queueMs: 3,
    firstByteMs: 110,
    cache: "hit",
    savedMicros: 17,
    ...over,
  });

  async function readBack(): Promise<Record<string, unknown>[]> {
    const rows = await db.select().from(usage).orderBy(asc(usage.id));
    return rows.map(({ id: _id, ...rest }) => rest);
  }

  it("round-trips every column exactly: micro-USD and times up to 2^53, nulls, booleans, awkward text", async () => {
    await db.$client.query(`truncate "usage"`);
    const rows: NewUsageRow[] = [
      full(1, { costMicros: Number.MAX_SAFE_INTEGER, savedMicros: 9_007_199_254_740_000, createdAt: 8_640_000_000_000_000 }),
      full(2, {
        teamId: null, keyId: null, userId: null, routeId: null, variant: null, stickyKey: null, requestedModel: null,
        servedModel: null, providerId: null, errorType: null, ttftMs: null, queueMs: null, firstByteMs: null, cache: null,
        fallbackUsed: false, stream: false, status: "rejected", httpStatus: 401,
      }),
      // Text that array literals treat specially must come back as written, not as a null or split.
      full(3, { teamId: "NULL", keyId: 'a "quoted", {braced} value', userId: "back\\slash", variant: "", stickyKey: "ünïcödé ✓ 𝄞", errorType: "line\nbreak\ttab" }),
    ];
    await insertUsageBatch(db, rows);
    expect(await readBack()).toEqual(rows);
  });

  it("fills the defaults the SQLite insert fills when optional fields are missing", async () => {
    await db.$client.query(`truncate "usage"`);
    await insertUsageBatch(db, [{ requestId: "req_min", createdAt: 1, status: "aborted", httpStatus: 499 }]);
    expect(await readBack()).toEqual([
      {
        requestId: "req_min", endpoint: "chat", createdAt: 1, teamId: null, keyId: null, userId: null, routeId: null, variant: null,
        stickyKey: null, requestedModel: null, servedModel: null, providerId: null, attempts: 0, fallbackUsed: false, stream: false,
        status: "aborted", httpStatus: 499, errorType: null, promptTokens: 0, completionTokens: 0, costMicros: 0, latencyMs: 0,
        ttftMs: null, queueMs: null, firstByteMs: null, cache: null, savedMicros: 0,
      },
    ]);
  });

  it("writes a batch larger than a VALUES list's parameter limit allows, in order, with growing ids", async () => {
    await db.$client.query(`truncate "usage"`);
    // 27 columns × 3,000 rows is past pg's 65,535 parameters for a multi-row VALUES insert.
    const rows = Array.from({ length: 3000 }, (_, i) => full(i, { costMicros: i * 1_000_003 }));
    await insertUsageBatch(db, rows);
    await insertUsageBatch(db, []);
    const back = await db.select().from(usage).orderBy(asc(usage.id));
    expect(back.map(({ id: _id, ...rest }) => rest)).toEqual(rows);
    expect(back.every((r, i) => i === 0 || r.id > back[i - 1]!.id)).toBe(true);
  });

  it("writes all of a batch or none of it", async () => {
    await db.$client.query(`truncate "usage"`);
    const bad = { ...full(2), status: null } as unknown as NewUsageRow;
    await expect(insertUsageBatch(db, [full(1), bad, full(3)])).rejects.toThrow(/null/);
    expect(await readBack()).toEqual([]);
  });
});

describe("encodeArray", () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
  });

  const roundTrip = async (type: string, values: unknown[]) =>
    (await client.query<{ a: unknown[] }>(`select $1::${type}[] as a`, [encodeArray(type as "text", values)])).rows[0]!.a;

  it("sends bigints exactly across the whole safe range, negatives included", async () => {
    const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null];
    // pg reads int8 as strings, so nothing is lost on the way back either.
    expect(await roundTrip("bigint", values)).toEqual(values.map((v) => (v === null ? null : String(v))));
  });

  it("sends integers, booleans and text with multi-byte characters", async () => {
    expect(await roundTrip("integer", [0, -7, 2 ** 31 - 1, null])).toEqual([0, -7, 2 ** 31 - 1, null]);
    expect(await roundTrip("boolean", [true, false, null])).toEqual([true, false, null]);
    expect(await roundTrip("text", ["", "𝄞 ü", "NULL", null])).toEqual(["", "𝄞 ü", "NULL", null]);
  });

  it("refuses a number its column cannot hold rather than truncating it", () => {
    expect(() => encodeArray("integer", [1.5])).toThrow(RangeError);
    expect(() => encodeArray("bigint", [2 ** 53])).toThrow(RangeError);
    expect(() => encodeArray("integer", [2 ** 31])).toThrow(RangeError);
  });
});
