import { and, asc, eq, gte, lt } from "drizzle-orm";
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

/** The route's rows in a time range with their timestamps, for the per-variant charts. */
export function listRouteUsageBetween({ routeId, from, to }: { routeId: string; from: number; to: number }) {
  return getDb()
    .select({ createdAt: usage.createdAt, ...windowColumns })
    .from(usage)
    .where(and(eq(usage.routeId, routeId), gte(usage.createdAt, from), lt(usage.createdAt, to)))
    .all();
}
