/**
 * Usage rows in Postgres: the twin of db/queries/usage.ts, with the same row shape and defaults.
 */
import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { getPgDb, type PgDb } from "../client-pg";
import { usage, type NewUsageRow } from "../schema-pg";
import { encodeArray, type ArrayElement } from "./binary-array";

const COLUMNS = [
  "requestId", "endpoint", "createdAt", "teamId", "keyId", "userId", "routeId", "variant", "stickyKey", "requestedModel",
  "servedModel", "providerId", "attempts", "fallbackUsed", "stream", "status", "httpStatus", "errorType",
  "promptTokens", "completionTokens", "costMicros", "latencyMs", "ttftMs", "queueMs", "firstByteMs", "cache", "savedMicros",
] as const;

/**
 * One statement for the whole batch, whatever its size: each column goes as one array parameter
 * and unnest turns the arrays back into rows. A VALUES list would need 27 parameters per row (and
 * pg allows 65,535 in all) and a new plan for every batch size; this text never changes, so the
 * server parses and plans it once per connection. Column names and array types come from the schema;
 * the arrays go in binary (binary-array.ts), which spares both sides the text array literals.
 */
const INSERT_SQL = `INSERT INTO "usage" (${COLUMNS.map((c) => `"${usage[c].name}"`).join(", ")})
SELECT * FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${usage[c].getSQLType()}[]`).join(", ")})`;

const TYPES = COLUMNS.map((c) => {
  const type = usage[c].getSQLType();
  if (!["text", "bigint", "integer", "boolean"].includes(type)) throw new Error(`usage.${c}: no binary array encoding for ${type}`);
  return type as ArrayElement;
});

/**
 * Writes a batch of usage rows; one statement, so all of them or none. Takes the db from the holder
 * like the SQLite twin, or a db of its own (tests and the benchmark write to a database they opened).
 */
export async function insertUsageBatch(rows: NewUsageRow[]): Promise<void>;
export async function insertUsageBatch(db: PgDb, rows: NewUsageRow[]): Promise<void>;
export async function insertUsageBatch(...args: [NewUsageRow[]] | [PgDb, NewUsageRow[]]): Promise<void> {
  const [db, rows] = args.length === 1 ? [getPgDb(), args[0]] : args;
  if (rows.length === 0) return;
  const n = rows.length;
  const columns = COLUMNS.map(() => new Array<unknown>(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    const v = [
      r.requestId, r.endpoint ?? "chat", r.createdAt, r.teamId ?? null, r.keyId ?? null, r.userId ?? null, r.routeId ?? null, r.variant ?? null,
      r.stickyKey ?? null, r.requestedModel ?? null, r.servedModel ?? null, r.providerId ?? null, r.attempts ?? 0,
      r.fallbackUsed ?? false, r.stream ?? false, r.status, r.httpStatus, r.errorType ?? null,
      r.promptTokens ?? 0, r.completionTokens ?? 0, r.costMicros ?? 0, r.latencyMs ?? 0, r.ttftMs ?? null, r.queueMs ?? null, r.firstByteMs ?? null, r.cache ?? null, r.savedMicros ?? 0,
    ];
    for (let c = 0; c < v.length; c++) columns[c]![i] = v[c];
  }
  await db.$client.query({ name: "switchyard_insert_usage_batch", text: INSERT_SQL, values: columns.map((col, c) => encodeArray(TYPES[c]!, col)) });
}

/** Settled spend in micro-USD of one team since an instant. */
export async function sumTeamSpendSince({ teamId, since }: { teamId: string; since: number }): Promise<number> {
  const [row] = await getPgDb()
    .select({ total: sql<string>`coalesce(sum(${usage.costMicros}), 0)` })
    .from(usage)
    .where(and(eq(usage.teamId, teamId), gte(usage.createdAt, since)));
  // sum over bigint is numeric, which pg reads as a string.
  return Number(row?.total ?? 0);
}

/** Which of these request ids already have a row created within [from, to] (a range on the created_at index). */
export async function existingRequestIds({ from, to, ids }: { from: number; to: number; ids: string[] }): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await getPgDb()
    .select({ id: usage.requestId })
    .from(usage)
    .where(and(gte(usage.createdAt, from), lte(usage.createdAt, to), inArray(usage.requestId, ids)));
  return rows.map((r) => r.id);
}

import type * as sqlite from "../queries/usage";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./usage")>;
