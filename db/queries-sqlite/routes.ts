import { and, asc, eq, gt, gte, lt } from "drizzle-orm";
import type Database from "better-sqlite3";
import { getDb } from "../client";
import { events, routes, usage, type NewEventRow, type NewRouteRow, type RouteRow } from "../schema";

export function listRoutes(): RouteRow[] {
  return getDb().select().from(routes).orderBy(asc(routes.name)).all();
}

export function getRouteById({ id }: { id: string }): RouteRow | undefined {
  return getDb().select().from(routes).where(eq(routes.id, id)).get();
}

export function getRouteByName({ name }: { name: string }): RouteRow | undefined {
  return getDb().select().from(routes).where(eq(routes.name, name)).get();
}

export function insertRouteWithEvent(row: NewRouteRow, event: NewEventRow): RouteRow {
  return getDb().transaction((tx) => {
    const created = tx.insert(routes).values(row).returning().get();
    tx.insert(events).values(event).run();
    return created;
  });
}

/**
 * Applies a change and its audit event in one transaction, only if the route is still at the
 * stage and status the decision was made on: a decision can never be applied twice.
 */
export function updateRouteWithEvent(args: {
  id: string;
  expect?: { stageIndex: number; status: RouteRow["status"] };
  patch: Partial<NewRouteRow>;
  event: NewEventRow | null;
}): RouteRow | undefined {
  return getDb().transaction((tx) => {
    const where = args.expect
      ? and(eq(routes.id, args.id), eq(routes.stageIndex, args.expect.stageIndex), eq(routes.status, args.expect.status))
      : eq(routes.id, args.id);
    const updated = tx.update(routes).set(args.patch).where(where).returning().get();
    if (updated && args.event) tx.insert(events).values(args.event).run();
    return updated;
  });
}

export function deleteRouteWithEvent({ id, event }: { id: string; event: NewEventRow }): boolean {
  return getDb().transaction((tx) => {
    const gone = tx.delete(routes).where(eq(routes.id, id)).returning({ id: routes.id }).get();
    if (gone) tx.insert(events).values(event).run();
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
export function listRouteUsageSince({ routeId, since }: { routeId: string; since: number }) {
  return getDb()
    .select(windowColumns)
    .from(usage)
    .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, since)))
    .all();
}

type WindowRowWithId = { id: number; variant: string | null; status: string; httpStatus: number; errorType: string | null; fallbackUsed: boolean; latencyMs: number; ttftMs: number | null; costMicros: number };

const statements = new WeakMap<object, Database.Statement<unknown[], unknown>>();

/**
 * The route's rows since an instant; only those written after row `afterId` when it is not 0.
 * `lastId` is the newest row id in the table at the time of the read, whichever route wrote it, so
 * the next read starts there even when this route was quiet. The first read seeks the route's
 * index; later ones walk the table from `afterId` on (NOT INDEXED keeps SQLite on the rowid range
 * rather than the route's index, which would visit the whole stage again), so they cost the rows
 * written since, not the stage. Both reads see the same snapshot.
 */
export function readRouteUsageAfter(args: { routeId: string; since: number; afterId: number }): { rows: WindowRowWithId[]; lastId: number } {
  const conn = getDb().$client;
  return conn.transaction(() => {
    const rows = listRouteUsageAfter(args);
    const newest = (conn.prepare("SELECT coalesce(max(id), 0) FROM usage").pluck().get() as number) ?? 0;
    return { rows, lastId: Math.max(args.afterId, newest) };
  })();
}

function listRouteUsageAfter({ routeId, since, afterId }: { routeId: string; since: number; afterId: number }): WindowRowWithId[] {
  if (afterId === 0) {
    return getDb()
      .select({ id: usage.id, ...windowColumns })
      .from(usage)
      .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, since)))
      .orderBy(asc(usage.id))
      .all();
  }
  const conn = getDb().$client;
  let stmt = statements.get(conn);
  if (!stmt) {
    stmt = conn
      .prepare(
        `SELECT id, variant, status, http_status, error_type, fallback_used, latency_ms, ttft_ms, cost_micros
         FROM usage NOT INDEXED WHERE id > ? AND route_id = ? AND created_at >= ? ORDER BY id`,
      )
      .raw(true);
    statements.set(conn, stmt);
  }
  return (stmt.all(afterId, routeId, since) as unknown[][]).map((r) => ({
    id: r[0] as number,
    variant: r[1] as string | null,
    status: r[2] as string,
    httpStatus: r[3] as number,
    errorType: r[4] as string | null,
    fallbackUsed: r[5] === 1,
    latencyMs: r[6] as number,
    ttftMs: r[7] as number | null,
    costMicros: r[8] as number,
  }));
}

/** The route's rows in a time range with their timestamps, for the per-variant charts. */
export function listRouteUsageBetween({ routeId, from, to }: { routeId: string; from: number; to: number }) {
  return getDb()
    .select({ createdAt: usage.createdAt, ...windowColumns })
    .from(usage)
    .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, from), lt(usage.createdAt, to)))
    .all();
}
