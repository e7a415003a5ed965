/** Admin service for the event log: breaker transitions, budget alerts, route decisions. */
import { z } from "zod";
import { listEvents as listEventRows } from "@/db/queries/events";
import type { EventRow } from "@/db/schema";
import { toIso } from "./context";
import { parseInput, queryInt } from "./schemas";

const MAX_EVENTS_PAGE = 500;

const querySchema = z.strictObject({
  type: z.string().min(1).max(128).optional(),
  subjectType: z.string().min(1).max(64).optional(),
  subjectId: z.string().min(1).max(128).optional(),
  before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, MAX_EVENTS_PAGE).optional(),
});

export interface EventView {
  id: number;
  createdAt: string;
  type: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  data: Record<string, unknown>;
}

export function toEventView(row: EventRow): EventView {
  return {
    id: row.id,
    createdAt: toIso(row.createdAt),
    type: row.type,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    actor: row.actor,
    data: row.data,
  };
}

/** Newest first. `nextBefore` is the `before` of the next page, null on the last one. */
export async function listEvents(query: URLSearchParams): Promise<{ data: EventView[]; nextBefore: number | null }> {
  const q = parseInput(querySchema, Object.fromEntries(query));
  const limit = q.limit ?? 50;
  const rows = await listEventRows({ type: q.type, subjectType: q.subjectType, subjectId: q.subjectId, before: q.before, limit });
  return { data: rows.map(toEventView), nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null };
}
