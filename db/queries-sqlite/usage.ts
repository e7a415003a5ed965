import type Database from "better-sqlite3";
import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { usage, type NewUsageRow } from "../schema";

type InsertUsage = Database.Statement<unknown[], unknown>;

const COLUMNS = [
  "requestId", "endpoint", "createdAt", "teamId", "keyId", "userId", "routeId", "variant", "stickyKey", "requestedModel",
  "servedModel", "providerId", "attempts", "fallbackUsed", "stream", "status", "httpStatus", "errorType",
  "promptTokens", "completionTokens", "costMicros", "latencyMs", "ttftMs", "queueMs", "firstByteMs", "cache", "savedMicros",
] as const;

/** One INSERT with positional parameters, its column names taken from the drizzle schema. */
function prepareInsertUsage(db: Db): InsertUsage {
  const names = COLUMNS.map((c) => `"${usage[c].name}"`);
  return db.$client.prepare(`INSERT INTO "usage" (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`);
}

// Prepared once per database, run with positional values: a multi-row INSERT built per flush cost
// four times as much, and drizzle's named-placeholder mapping per row another quarter.
const prepared = new WeakMap<Db, InsertUsage>();

/** Writes a batch of usage rows in one transaction. */
export function insertUsageBatch(rows: NewUsageRow[]): void {
  if (rows.length === 0) return;
  const db = getDb();
  let insert = prepared.get(db);
  if (!insert) prepared.set(db, (insert = prepareInsertUsage(db)));
  const run = insert;
  db.$client.transaction(() => {
    for (const r of rows) {
      run.run(
        r.requestId, r.endpoint ?? "chat", r.createdAt, r.teamId ?? null, r.keyId ?? null, r.userId ?? null, r.routeId ?? null, r.variant ?? null,
        r.stickyKey ?? null, r.requestedModel ?? null, r.servedModel ?? null, r.providerId ?? null, r.attempts ?? 0,
        // Booleans are stored as 0/1.
        r.fallbackUsed ? 1 : 0, r.stream ? 1 : 0, r.status, r.httpStatus, r.errorType ?? null,
        r.promptTokens ?? 0, r.completionTokens ?? 0, r.costMicros ?? 0, r.latencyMs ?? 0, r.ttftMs ?? null, r.queueMs ?? null, r.firstByteMs ?? null, r.cache ?? null, r.savedMicros ?? 0,
      );
    }
  })();
}

/** Settled spend in micro-USD of one team since an instant. */
export function sumTeamSpendSince({ teamId, since }: { teamId: string; since: number }): number {
  const row = getDb()
    .select({ total: sql<number>`coalesce(sum(${usage.costMicros}), 0)` })
    .from(usage)
    .where(and(eq(usage.teamId, teamId), gte(usage.createdAt, since)))
    .get();
  return Number(row?.total ?? 0);
}

/** Which of these request ids already have a row created within [from, to] (a range on the created_at index). */
export function existingRequestIds({ from, to, ids }: { from: number; to: number; ids: string[] }): string[] {
  if (ids.length === 0) return [];
  return getDb()
    .select({ id: usage.requestId })
    .from(usage)
    .where(and(gte(usage.createdAt, from), lte(usage.createdAt, to), inArray(usage.requestId, ids)))
    .all()
    .map((r) => r.id);
}
