/** The audit and operational event log on Postgres: the twin of db/queries/events.ts. */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { events } from "../schema-pg";
import type { NewEventRow } from "../schema";

export async function insertEvent(row: NewEventRow) {
  const [inserted] = await getPgDb().insert(events).values(row).returning();
  return inserted!;
}

/** Newest first, optionally narrowed to one subject or type; `before` pages by id. */
export async function listEvents(filter: { subjectType?: string; subjectId?: string; type?: string; before?: number; limit: number }) {
  const where: SQL[] = [];
  if (filter.subjectType) where.push(eq(events.subjectType, filter.subjectType));
  if (filter.subjectId) where.push(eq(events.subjectId, filter.subjectId));
  if (filter.type) where.push(eq(events.type, filter.type));
  if (filter.before) where.push(lt(events.id, filter.before));
  return getPgDb()
    .select()
    .from(events)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(events.id))
    .limit(filter.limit);
}

import type * as sqlite from "../queries/events";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./events")>;
