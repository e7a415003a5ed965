import { and, eq, gte, sql } from "drizzle-orm";
import { getDb } from "../client";
import { usage, type NewUsageRow } from "../schema";

// SQLite's limit on bound variables is 32766; 23 columns per row → stay well below.
const CHUNK = 1000;

/** Writes a batch of usage rows in one transaction. */
export function insertUsageBatch(rows: NewUsageRow[]): void {
  if (rows.length === 0) return;
  const db = getDb();
  db.transaction((tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) tx.insert(usage).values(rows.slice(i, i + CHUNK)).run();
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
