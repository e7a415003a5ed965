/**
 * GET /api/usage/requests (and /api/me/usage/requests): the request log, one entry per usage row,
 * newest first, with an opaque cursor for the next page.
 */
import { z } from "zod";
import { getRouteByName } from "@/db/queries/routes";
import { listUsageRequests, type RequestLogCursor, type RequestLogFilter, type RequestLogRow } from "@/db/queries/usage-requests";
import { parseInput } from "../admin/schemas";
import { microsToUsd } from "../gateway/cost";
import { badRequest } from "../gateway/errors";
import { startOfUtcDay } from "../gateway/period";
import { scopedTeamId, type UsageScope } from "./access";
import { USAGE_ENDPOINTS } from "./endpoints";
import { OUTCOMES } from "./outcomes";
import { parseInstant } from "./filters";

export const USAGE_STATUSES = OUTCOMES;

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** Who is reading the log: an admin or a team key (see access.ts), or one signed-in person their own rows. */
export type RequestLogScope = UsageScope | { kind: "user"; userId: string };

const id = z.string().trim().min(1).max(200);

const querySchema = z.strictObject({
  from: z.string().trim().max(40).optional(),
  to: z.string().trim().max(40).optional(),
  teamId: id.optional(),
  keyId: id.optional(),
  userId: id.optional(),
  model: id.optional(),
  route: id.optional(),
  status: z.enum(USAGE_STATUSES).optional(),
  endpoint: z.enum(USAGE_ENDPOINTS).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_LIMIT))
    .optional(),
  cursor: z.string().max(100).optional(),
});

/** "<created_at>.<id>" in base64url: opaque to clients, so its form can change. */
export function encodeCursor(c: RequestLogCursor): string {
  return Buffer.from(`${c.createdAt}.${c.id}`).toString("base64url");
}

function decodeCursor(text: string): RequestLogCursor {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (!m) throw badRequest("'cursor' is not one this API gave out; start again without it.", "cursor");
  return { createdAt: Number(m[1]), id: Number(m[2]) };
}

export interface RequestLogEntry {
  id: number;
  requestId: string;
  createdAt: string;
  endpoint: string;
  teamId: string | null;
  teamName: string | null;
  keyId: string | null;
  keyName: string | null;
  userId: string | null;
  userEmail: string | null;
  routeId: string | null;
  routeName: string | null;
  variant: string | null;
  stickyKey: string | null;
  requestedModel: string | null;
  servedModel: string | null;
  providerId: string | null;
  attempts: number;
  fallbackUsed: boolean;
  stream: boolean;
  status: string;
  httpStatus: number;
  errorType: string | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencyMs: number;
  ttftMs: number | null;
  queueMs: number | null;
  firstByteMs: number | null;
  cache: string | null;
  savedUsd: number;
}

export interface RequestLogPage {
  data: RequestLogEntry[];
  /** Pass as `cursor` for the next (older) page; null when this is the last. */
  nextCursor: string | null;
}

const toEntry = (r: RequestLogRow): RequestLogEntry => ({
  id: r.id,
  requestId: r.requestId,
  createdAt: new Date(r.createdAt).toISOString(),
  endpoint: r.endpoint,
  teamId: r.teamId,
  teamName: r.teamName,
  keyId: r.keyId,
  keyName: r.keyName,
  userId: r.userId,
  userEmail: r.userEmail,
  routeId: r.routeId,
  routeName: r.routeName,
  variant: r.variant,
  stickyKey: r.stickyKey,
  requestedModel: r.requestedModel,
  servedModel: r.servedModel,
  providerId: r.providerId,
  attempts: r.attempts,
  fallbackUsed: Boolean(r.fallbackUsed),
  stream: Boolean(r.stream),
  status: r.status,
  httpStatus: r.httpStatus,
  errorType: r.errorType,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  costUsd: microsToUsd(r.costMicros),
  latencyMs: r.latencyMs,
  ttftMs: r.ttftMs,
  queueMs: r.queueMs,
  firstByteMs: r.firstByteMs,
  cache: r.cache,
  savedUsd: microsToUsd(r.savedMicros),
});

/** The filter a caller may have: a team key is held to its team, a person to their own rows. */
async function scopedFilter(q: z.output<typeof querySchema>, scope: RequestLogScope, now: number): Promise<RequestLogFilter> {
  const to = q.to ? parseInstant(q.to, "to") : now;
  const from = q.from ? parseInstant(q.from, "from") : startOfUtcDay(to - 1) - (DEFAULT_DAYS - 1) * DAY_MS;
  if (from >= to) throw badRequest("'from' must be before 'to' (which is exclusive).", "from");
  let teamId = q.teamId;
  let userId = q.userId;
  if (scope.kind === "user") {
    if (userId !== undefined && userId !== scope.userId) throw badRequest("'userId' can only be your own here.", "userId");
    userId = scope.userId;
  } else {
    teamId = scopedTeamId(scope, teamId);
  }
  // A route is named by its name or its id; rows of a deleted route still carry its id.
  const routeId = q.route === undefined ? undefined : ((await getRouteByName({ name: q.route }))?.id ?? q.route);
  return { from, to, teamId, keyId: q.keyId, userId, model: q.model, routeId, status: q.status, endpoint: q.endpoint };
}

export async function requestLog(query: URLSearchParams, scope: RequestLogScope, now: number): Promise<RequestLogPage> {
  const q = parseInput(querySchema, Object.fromEntries(query));
  const filter = await scopedFilter(q, scope, now);
  const cursor = q.cursor ? decodeCursor(q.cursor) : null;
  const limit = q.limit ?? DEFAULT_LIMIT;
  // One more than the page tells whether another page follows, without a count.
  const rows = await listUsageRequests({ filter, cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(toEntry), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}
