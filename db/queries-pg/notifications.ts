/** People's notification lists and read marks on Postgres: the twin of db/queries/notifications.ts. */
import { and, count, desc, eq, gt, inArray, lt, sql, type SQL } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { events, notificationReads } from "../schema-pg";

/** Events of the given types, newest first; `before` pages by id (events_type_idx serves each type). */
export async function listEventsOfTypes({ types, before, limit }: { types: readonly string[]; before?: number; limit: number }) {
  const where: SQL[] = [inArray(events.type, [...types])];
  if (before) where.push(lt(events.id, before));
  return getPgDb().select().from(events).where(and(...where)).orderBy(desc(events.id)).limit(limit);
}

export async function countEventsOfTypesAfter({ types, afterId }: { types: readonly string[]; afterId: number }): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(events).where(and(inArray(events.type, [...types]), gt(events.id, afterId)));
  return Number(row?.n ?? 0);
}

export async function getLastReadEventId({ userId }: { userId: string }): Promise<number> {
  const [row] = await getPgDb().select({ id: notificationReads.lastReadEventId }).from(notificationReads).where(eq(notificationReads.userId, userId));
  return row?.id ?? 0;
}

/**
 * Moves a person's read marker forward to `eventId`; never back (two tabs may mark in either
 * order). Returns the marker as it now stands.
 */
export async function markEventsReadUpTo({ userId, eventId, now }: { userId: string; eventId: number; now: number }): Promise<number> {
  const [row] = await getPgDb()
    .insert(notificationReads)
    .values({ userId, lastReadEventId: eventId, updatedAt: now })
    .onConflictDoUpdate({
      target: notificationReads.userId,
      set: { lastReadEventId: sql`greatest(${notificationReads.lastReadEventId}, excluded.last_read_event_id)`, updatedAt: now },
    })
    .returning({ id: notificationReads.lastReadEventId });
  return row!.id;
}

export async function latestEventIdOfTypes({ types }: { types: readonly string[] }): Promise<number> {
  const [row] = await getPgDb().select({ id: events.id }).from(events).where(inArray(events.type, [...types])).orderBy(desc(events.id)).limit(1);
  return row?.id ?? 0;
}

import type * as sqlite from "../queries/notifications";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./notifications")>;
