/**
 * The request log: usage rows newest first, filtered, paged by keyset on (created_at, id) so a
 * page costs the same at the start of the log and deep into it, and rows written meanwhile
 * neither repeat nor shift a page.
 */
import type Database from "better-sqlite3";
import { getDb } from "../client";

export interface RequestLogFilter {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
  teamId?: string;
  keyId?: string;
  userId?: string;
  /** Matches served_model, as the reports do. */
  model?: string;
  routeId?: string;
  status?: string;
  endpoint?: string;
}

/** The last row of the previous page. */
export interface RequestLogCursor {
  createdAt: number;
  id: number;
}

export interface RequestLogRow {
  id: number;
  requestId: string;
  endpoint: string;
  createdAt: number;
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
  fallbackUsed: number;
  stream: number;
  status: string;
  httpStatus: number;
  errorType: string | null;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  latencyMs: number;
  ttftMs: number | null;
  queueMs: number | null;
  firstByteMs: number | null;
  cache: string | null;
  savedMicros: number;
}

const FILTER_COLUMNS = [
  ["teamId", "team_id"], ["keyId", "key_id"], ["userId", "user_id"], ["model", "served_model"],
  ["routeId", "route_id"], ["status", "status"], ["endpoint", "endpoint"],
] as const satisfies ReadonlyArray<readonly [keyof RequestLogFilter, string]>;

const SELECT = `u.id AS id, u.request_id AS requestId, u.endpoint AS endpoint, u.created_at AS createdAt,
  u.team_id AS teamId, t.name AS teamName, u.key_id AS keyId, k.name AS keyName, u.user_id AS userId, p.email AS userEmail,
  u.route_id AS routeId, r.name AS routeName, u.variant AS variant, u.sticky_key AS stickyKey,
  u.requested_model AS requestedModel, u.served_model AS servedModel, u.provider_id AS providerId, u.attempts AS attempts,
  u.fallback_used AS fallbackUsed, u.stream AS stream, u.status AS status, u.http_status AS httpStatus,
  u.error_type AS errorType, u.prompt_tokens AS promptTokens, u.completion_tokens AS completionTokens,
  u.cost_micros AS costMicros, u.latency_ms AS latencyMs, u.ttft_ms AS ttftMs, u.queue_ms AS queueMs,
  u.first_byte_ms AS firstByteMs, u.cache AS cache, u.saved_micros AS savedMicros`;

/**
 * A person's or a team's rows may be few among many, so they are found by a seek on an index that
 * keeps them in keyset order; every other filter is checked inside the index while it is walked
 * newest first. (The report indexes would return a team's rows out of keyset order.)
 */
function indexFor(filter: RequestLogFilter): string {
  if (filter.userId !== undefined) return "usage_user_log_idx";
  return filter.teamId !== undefined ? "usage_team_log_idx" : "usage_log_idx";
}

export function requestLogSql(filter: RequestLogFilter, cursor: RequestLogCursor | null, limit: number): { sql: string; params: unknown[] } {
  // One upper bound on created_at, so it is the one the index seek uses: SQLite takes only one of
  // two, and seeking from `to` would walk every newer row down to the cursor.
  const where = ["u.created_at >= ?", cursor ? "u.created_at <= ?" : "u.created_at < ?"];
  const params: unknown[] = [filter.from, cursor ? Math.min(cursor.createdAt, filter.to - 1) : filter.to];
  for (const [key, column] of FILTER_COLUMNS) {
    const value = filter[key];
    if (value === undefined) continue;
    where.push(`u.${column} = ?`);
    params.push(value);
  }
  if (cursor) {
    where.push("(u.created_at < ? OR u.id < ?)");
    params.push(cursor.createdAt, cursor.id);
  }
  params.push(limit);
  const sql = `SELECT ${SELECT} FROM usage u INDEXED BY ${indexFor(filter)}
    LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN api_keys k ON k.id = u.key_id
    LEFT JOIN users p ON p.id = u.user_id LEFT JOIN routes r ON r.id = u.route_id
    WHERE ${where.join(" AND ")} ORDER BY u.created_at DESC, u.id DESC LIMIT ?`;
  return { sql, params };
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepare(sql: string): Database.Statement {
  const conn = getDb().$client;
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}

/** Up to `limit` rows after the cursor (or from the newest), newest first. */
export function listUsageRequests({ filter, cursor, limit }: { filter: RequestLogFilter; cursor: RequestLogCursor | null; limit: number }): RequestLogRow[] {
  if (filter.from >= filter.to) return [];
  const { sql, params } = requestLogSql(filter, cursor, limit);
  return prepare(sql).all(...params) as RequestLogRow[];
}

/** How SQLite will run a page's query, for tests and the benchmark. */
export function explainUsageRequests(filter: RequestLogFilter, cursor: RequestLogCursor | null, limit: number): string[] {
  const { sql, params } = requestLogSql(filter, cursor, limit);
  return (getDb().$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
}

/** One person's settled spend and request count since an instant, from their own index. */
export function sumUserSpendSince({ userId, since }: { userId: string; since: number }): { requests: number; costMicros: number } {
  const row = prepare("SELECT count(*) AS requests, coalesce(sum(cost_micros), 0) AS costMicros FROM usage WHERE user_id = ? AND created_at >= ?").get(
    userId,
    since,
  ) as { requests: number; costMicros: number };
  return { requests: Number(row.requests), costMicros: Number(row.costMicros) };
}
