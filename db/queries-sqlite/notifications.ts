import { and, count, desc, eq, gt, inArray, lt, sql, type SQL } from "drizzle-orm";
import { getDb } from "../client";
import { events, notificationReads } from "../schema";

/** Events of the given types, newest first; `before` pages by id (events_type_idx serves each type). */
export function listEventsOfTypes({ types, before, limit }: { types: readonly string[]; before?: number; limit: number }) {
  const where: SQL[] = [inArray(events.type, [...types])];
  if (before) where.push(lt(events.id, before));
  return getDb().select().from(events).where(and(...where)).orderBy(desc(events.id)).limit(limit).all();
}

export function countEventsOfTypesAfter({ types, afterId }: { types: readonly string[]; afterId: number }): number {
  const row = getDb().select({ n: count() }).from(events).where(and(inArray(events.type, [...types]), gt(events.id, afterId))).get();
  return Number(row?.n ?? 0);
}

export function getLastReadEventId({ userId }: { userId: string }): number {
  return getDb().select({ id: notificationReads.lastReadEventId }).from(notificationReads).where(eq(notificationReads.userId, userId)).get()?.id ?? 0;
}

/** Moves a person's read marker forward to `eventId`; never back (two tabs may mark in either order). */
export function markEventsReadUpTo({ userId, eventId, now }: { userId: string; eventId: number; now: number }): number {
  getDb()
    .insert(notificationReads)
    .values({ userId, lastReadEventId: eventId, updatedAt: now })
    .onConflictDoUpdate({
      target: notificationReads.userId,
      set: { lastReadEventId: sql`max(${notificationReads.lastReadEventId}, excluded.last_read_event_id)`, updatedAt: now },
    })
    .run();
  return getLastReadEventId({ userId });
}

export function latestEventIdOfTypes({ types }: { types: readonly string[] }): number {
  return getDb().select({ id: events.id }).from(events).where(inArray(events.type, [...types])).orderBy(desc(events.id)).limit(1).get()?.id ?? 0;
}
