/** Routes (traffic splits), their audit events and their usage windows on Postgres: the twin of db/queries/routes.ts. */
import { and, asc, eq, gt, gte, lt, sql } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { events, routes, usage } from "../schema-pg";
import type { NewEventRow, NewRouteRow, RouteRow } from "../schema";

export async function listRoutes(): Promise<RouteRow[]> {
  return getPgDb().select().from(routes).orderBy(asc(routes.name));
}

export async function getRouteById({ id }: { id: string }): Promise<RouteRow | undefined> {
  const [row] = await getPgDb().select().from(routes).where(eq(routes.id, id));
  return row;
}

export async function getRouteByName({ name }: { name: string }): Promise<RouteRow | undefined> {
  const [row] = await getPgDb().select().from(routes).where(eq(routes.name, name));
  return row;
}

export async function insertRouteWithEvent(row: NewRouteRow, event: NewEventRow): Promise<RouteRow> {
  return getPgDb().transaction(async (tx) => {
    const [created] = await tx.insert(routes).values(row).returning();
    await tx.insert(events).values(event);
    return created!;
  });
}

/**
 * Applies a change and its audit event in one transaction, only if the route is still at the
 * stage and status the decision was made on: a decision can never be applied twice. The update's
 * own row lock makes a second instance applying the same decision wait, then find the route moved.
 */
export async function updateRouteWithEvent(args: {
  id: string;
  expect?: { stageIndex: number; status: RouteRow["status"] };
  patch: Partial<NewRouteRow>;
  event: NewEventRow | null;
}): Promise<RouteRow | undefined> {
  return getPgDb().transaction(async (tx) => {
    const where = args.expect
      ? and(eq(routes.id, args.id), eq(routes.stageIndex, args.expect.stageIndex), eq(routes.status, args.expect.status))
      : eq(routes.id, args.id);
    const [updated] = await tx.update(routes).set(args.patch).where(where).returning();
    if (updated && args.event) await tx.insert(events).values(args.event);
    return updated;
  });
}

export async function deleteRouteWithEvent({ id, event }: { id: string; event: NewEventRow }): Promise<boolean> {
  return getPgDb().transaction(async (tx) => {
    const [gone] = await tx.delete(routes).where(eq(routes.id, id)).returning({ id: routes.id });
    if (gone) await tx.insert(events).values(event);
    return Boolean(gone);
  });
}

/** What the evaluator and the charts read of a usage row. */
const windowColumns = {
  variant: usage.variant,
  status: usage.status,
  httpStatus: usage.httpStatus,
  errorType: usage.errorType,
  fallbackUsed: usage.fallbackUsed,
  latencyMs: usage.latencyMs,
  ttftMs: usage.ttftMs,
  costMicros: usage.costMicros,
};

/** The route's usage rows since an instant: the evaluator's cumulative stage window. */
export async function listRouteUsageSince({ routeId, since }: { routeId: string; since: number }) {
  return getPgDb()
    .select(windowColumns)
    .from(usage)
    .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, since)));
}

/**
 * The route's rows since an instant; only those written after row `afterId` when it is not 0.
 * `lastId` is the newest row id in the table at the time of the read, whichever route wrote it, so
 * the next read starts there even when this route was quiet.
 *
 * On SQLite ids are taken in commit order. Here a row's id is taken when it is inserted, so a batch
 * still being written can commit an id below the newest one visible, and a read position past it
 * would skip that row for good. The SHARE lock waits for the writes in flight and holds new ones
 * back until this read is done (a few milliseconds, on the one instance that runs the rollout
 * loop), so every id up to lastId is in the table when it is read; the lock comes before the first
 * query, so both reads see the table as it stands once the lock is held.
 *
 * The lock also waits for a vacuum of the table, which Postgres would cancel after a second of
 * making us wait (and a long one would hold up the writers queued behind us). So the wait is
 * short: when the lock is not had in time, the read reports nothing new and keeps its position,
 * and the next evaluation tries again.
 */
export async function readRouteUsageAfter({ routeId, since, afterId }: { routeId: string; since: number; afterId: number }) {
  try {
    return await getPgDb().transaction(async (tx) => {
      await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_WAIT_MS}ms'`));
      await tx.execute(sql`lock table ${usage} in share mode`);
      const rows = await tx
        .select({ id: usage.id, ...windowColumns })
        .from(usage)
        .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, since), afterId === 0 ? undefined : gt(usage.id, afterId)))
        .orderBy(asc(usage.id));
      const [newest] = await tx.select({ id: sql<number>`coalesce(max(${usage.id}), 0)`.mapWith(Number) }).from(usage);
      return { rows, lastId: Math.max(afterId, newest?.id ?? 0) };
    });
  } catch (err) {
    if (causeCode(err) === LOCK_NOT_AVAILABLE) return { rows: [], lastId: afterId };
    throw err;
  }
}

// Well under deadlock_timeout (1 s by default), after which a waiting lock cancels an autovacuum.
const LOCK_WAIT_MS = 200;
const LOCK_NOT_AVAILABLE = "55P03";

/** The SQLSTATE of a Postgres error, which drizzle wraps in an error of its own. */
function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** The route's rows in a time range with their timestamps, for the per-variant charts. */
export async function listRouteUsageBetween({ routeId, from, to }: { routeId: string; from: number; to: number }) {
  return getPgDb()
    .select({ createdAt: usage.createdAt, ...windowColumns })
    .from(usage)
    .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, from), lt(usage.createdAt, to)));
}

import type * as sqlite from "../queries/routes";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./routes")>;
