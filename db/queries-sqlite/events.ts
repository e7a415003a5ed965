import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { getDb } from "../client";
import { events, type NewEventRow } from "../schema";

export function insertEvent(row: NewEventRow) {
  return getDb().insert(events).values(row).returning().get();
}

/** Newest first, optionally narrowed to one subject or type; `before` pages by id. */
export function listEvents(filter: { subjectType?: string; subjectId?: string; type?: string; before?: number; limit: number }) {
  const where: SQL[] = [];
  if (filter.subjectType) where.push(eq(events.subjectType, filter.subjectType));
  if (filter.subjectId) where.push(eq(events.subjectId, filter.subjectId));
  if (filter.type) where.push(eq(events.type, filter.type));
  if (filter.before) where.push(lt(events.id, filter.before));
  return getDb()
    .select()
    .from(events)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(events.id))
    .limit(filter.limit)
    .all();
}
