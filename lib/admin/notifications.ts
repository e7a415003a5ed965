/**
 * The admins' notification list: budget alerts, circuit breakers opening and automatic (or manual)
 * rollbacks, read from the event log, with each person's read marker.
 */
import { z } from "zod";
import { getModelById } from "@/db/queries/models";
import {
  countEventsOfTypesAfter, getLastReadEventId, latestEventIdOfTypes, listEventsOfTypes, markEventsReadUpTo,
} from "@/db/queries/notifications";
import { getRouteById } from "@/db/queries/routes";
import { getTeamById } from "@/db/queries/teams";
import type { EventRow } from "@/db/schema";
import { toIso } from "./context";
import { parseInput, queryInt } from "./schemas";

export const NOTIFICATION_TYPES = ["budget.alert", "breaker.open", "route.rolled_back"] as const;

const MAX_PAGE = 100;

export interface NotificationView {
  id: number;
  createdAt: string;
  type: string;
  title: string;
  detail: string;
  /** The settings page where it can be acted on. */
  href: string;
  unread: boolean;
}

export interface NotificationList {
  data: NotificationView[];
  /** Unread notifications in all, not only on this page. */
  unread: number;
  lastReadId: number;
  nextBefore: number | null;
}

const usd = (micros: unknown) => `$${(Number(micros ?? 0) / 1e6).toFixed(2)}`;
const pct = (share: unknown) => `${Math.round(Number(share ?? 0) * 100)} %`;

async function describe(e: EventRow): Promise<Pick<NotificationView, "title" | "detail" | "href">> {
  const d = e.data;
  switch (e.type) {
    case "budget.alert": {
      const team = (await getTeamById({ id: e.subjectId }))?.name ?? e.subjectId;
      const period = d.period === "month" ? "monthly" : "daily";
      return {
        title: `${team} reached ${String(d.thresholdPct)} % of its ${period} budget`,
        detail: `${usd(d.spentMicros)} of ${usd(d.capMicros)} spent (${String(d.periodKey ?? "")}).`,
        href: `/settings/teams/${encodeURIComponent(e.subjectId)}`,
      };
    }
    case "breaker.open": {
      const model = (await getModelById({ id: e.subjectId }))?.name ?? e.subjectId;
      return {
        title: `Circuit breaker opened for ${model}`,
        detail: `${pct(d.failureRate)} of ${String(d.requests ?? "?")} recent requests failed; calls go to its fallbacks until it recovers.`,
        href: "/settings/models",
      };
    }
    default: {
      const route = (await getRouteById({ id: e.subjectId }))?.name ?? e.subjectId;
      const reasons = Array.isArray(d.reasons) ? (d.reasons as unknown[]).map(String) : [];
      return {
        title: `Route ${route} rolled back`,
        detail: reasons[0] ?? (e.actor === "system" ? "The guardrails rolled the candidate back." : `Rolled back by ${e.actor}.`),
        href: `/settings/routes/${encodeURIComponent(e.subjectId)}`,
      };
    }
  }
}

const listQuery = z.strictObject({
  before: queryInt(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, MAX_PAGE).optional(),
});

export async function listNotifications(userId: string, query: URLSearchParams): Promise<NotificationList> {
  const q = parseInput(listQuery, Object.fromEntries(query));
  const limit = q.limit ?? 20;
  const lastReadId = await getLastReadEventId({ userId });
  const rows = await listEventsOfTypes({ types: NOTIFICATION_TYPES, before: q.before, limit });
  return {
    data: await Promise.all(rows.map(async (e) => ({ id: e.id, createdAt: toIso(e.createdAt), type: e.type, ...(await describe(e)), unread: e.id > lastReadId }))),
    unread: await countEventsOfTypesAfter({ types: NOTIFICATION_TYPES, afterId: lastReadId }),
    lastReadId,
    nextBefore: rows.length === limit ? rows[rows.length - 1]!.id : null,
  };
}

const readBody = z.strictObject({ upTo: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }).nullish();

/** Marks everything up to `upTo` (default: the newest notification) as read. */
export async function markNotificationsRead(userId: string, body: unknown, now: number): Promise<{ lastReadId: number; unread: number }> {
  const b = parseInput(readBody, body);
  const upTo = b?.upTo ?? await latestEventIdOfTypes({ types: NOTIFICATION_TYPES });
  const lastReadId = await markEventsReadUpTo({ userId, eventId: upTo, now });
  return { lastReadId, unread: await countEventsOfTypesAfter({ types: NOTIFICATION_TYPES, afterId: lastReadId }) };
}
