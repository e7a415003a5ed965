import { and, eq, gte, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { usage, type NewUsageRow } from "../schema";

type InsertUsage = ReturnType<typeof prepareInsertUsage>;

const COLUMNS = [
  "requestId", "createdAt", "teamId", "keyId", "userId", "routeId", "variant", "stickyKey", "requestedModel",
  "servedModel", "providerId", "attempts", "fallbackUsed", "stream", "status", "httpStatus", "errorType",
  "promptTokens", "completionTokens", "costMicros", "latencyMs", "ttftMs",
] as const;

function prepareInsertUsage(db: Db) {
  const values = Object.fromEntries(COLUMNS.map((c) => [c, sql.placeholder(c)])) as unknown as NewUsageRow;
  return db.insert(usage).values(values).prepare();
}

// Prepared once per database: building and compiling a multi-row INSERT per flush cost four
// times as much as running one compiled statement per row inside the transaction.
const prepared = new WeakMap<Db, InsertUsage>();

/** Writes a batch of usage rows in one transaction. */
export function insertUsageBatch(rows: NewUsageRow[]): void {
  if (rows.length === 0) return;
  const db = getDb();
  let insert = prepared.get(db);
  if (!insert) prepared.set(db, (insert = prepareInsertUsage(db)));
  const run = insert;
  db.transaction(() => {
    for (const row of rows) {
      const params: Record<string, unknown> = {};
      for (const c of COLUMNS) params[c] = row[c] ?? null;
      // Booleans are stored as 0/1; the placeholder path does not apply the column's mapping.
      params.fallbackUsed = row.fallbackUsed ? 1 : 0;
      params.stream = row.stream ? 1 : 0;
      run.run(params);
    }
  });
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
