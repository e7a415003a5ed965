/**
 * The request log in Postgres: the twin of db/queries/usage-requests.ts, newest first, paged by
 * keyset on (created_at, id). Postgres picks among the log indexes by itself (no INDEXED BY), and
 * a row comparison states the keyset bound in a form its index scans take directly.
 */
import type { RequestLogCursor, RequestLogFilter, RequestLogRow } from "../queries/usage-requests";
import { params, queryArrays, queryRows } from "./raw";

const FILTER_COLUMNS = [
  ["teamId", "team_id"], ["keyId", "key_id"], ["userId", "user_id"], ["model", "served_model"],
  ["routeId", "route_id"], ["status", "status"], ["endpoint", "endpoint"],
] as const satisfies ReadonlyArray<readonly [keyof RequestLogFilter, string]>;

// Booleans as the 0/1 the SQLite twin returns; bigint columns are read as numbers (raw.ts).
const SELECT = `u.id AS "id", u.request_id AS "requestId", u.endpoint AS "endpoint", u.created_at AS "createdAt",
  u.team_id AS "teamId", t.name AS "teamName", u.key_id AS "keyId", k.name AS "keyName", u.user_id AS "userId", p.email AS "userEmail",
  u.route_id AS "routeId", r.name AS "routeName", u.variant AS "variant", u.sticky_key AS "stickyKey",
  u.requested_model AS "requestedModel", u.served_model AS "servedModel", u.provider_id AS "providerId", u.attempts AS "attempts",
  u.fallback_used::int AS "fallbackUsed", u.stream::int AS "stream", u.status AS "status", u.http_status AS "httpStatus",
  u.error_type AS "errorType", u.prompt_tokens AS "promptTokens", u.completion_tokens AS "completionTokens",
  u.cost_micros AS "costMicros", u.latency_ms AS "latencyMs", u.ttft_ms AS "ttftMs", u.queue_ms AS "queueMs",
  u.first_byte_ms AS "firstByteMs", u.cache AS "cache", u.saved_micros AS "savedMicros"`;

export function requestLogSql(filter: RequestLogFilter, cursor: RequestLogCursor | null, limit: number): { sql: string; params: unknown[] } {
  const q = params();
  const where = [`u.created_at >= ${q.p(filter.from)}`, `u.created_at < ${q.p(filter.to)}`];
  for (const [key, column] of FILTER_COLUMNS) {
    const value = filter[key];
    if (value !== undefined) where.push(`u.${column} = ${q.p(value)}`);
  }
  if (cursor) where.push(`(u.created_at, u.id) < (${q.p(cursor.createdAt)}, ${q.p(cursor.id)})`);
  const sql = `SELECT ${SELECT} FROM usage u
    LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN api_keys k ON k.id = u.key_id
    LEFT JOIN users p ON p.id = u.user_id LEFT JOIN routes r ON r.id = u.route_id
    WHERE ${where.join(" AND ")} ORDER BY u.created_at DESC, u.id DESC LIMIT ${q.p(limit)}`;
  return { sql, params: q.values };
}

/** Up to `limit` rows after the cursor (or from the newest), newest first. */
export async function listUsageRequests({ filter, cursor, limit }: { filter: RequestLogFilter; cursor: RequestLogCursor | null; limit: number }): Promise<RequestLogRow[]> {
  if (filter.from >= filter.to) return [];
  const { sql, params } = requestLogSql(filter, cursor, limit);
  return queryRows<RequestLogRow>(sql, params);
}

/** How Postgres will run a page's query (its EXPLAIN lines), for tests and the benchmark. */
export async function explainUsageRequests(filter: RequestLogFilter, cursor: RequestLogCursor | null, limit: number): Promise<string[]> {
  const { sql, params } = requestLogSql(filter, cursor, limit);
  return (await queryArrays(`EXPLAIN ${sql}`, params)).map((row) => String(row[0]));
}

/** One person's settled spend and request count since an instant. */
export async function sumUserSpendSince({ userId, since }: { userId: string; since: number }): Promise<{ requests: number; costMicros: number }> {
  const q = params();
  const [row] = await queryArrays(`SELECT count(*), coalesce(sum(cost_micros), 0) FROM usage WHERE user_id = ${q.p(userId)} AND created_at >= ${q.p(since)}`, q.values);
  return { requests: Number(row?.[0] ?? 0), costMicros: Number(row?.[1] ?? 0) };
}

import type * as sqlite from "../queries/usage-requests";
import type { AsyncTwin } from "./twin";
// requestLogSql is pure, so it stays synchronous: it is held to the twin's parameters and result
// on its own (awaited, in case the twin's is ever async).
export type _Twin = AsyncTwin<Omit<typeof sqlite, "requestLogSql">, typeof import("./usage-requests")>;
type Sync<F extends (...args: never[]) => unknown> = (...args: Parameters<F>) => Awaited<ReturnType<F>>;
type Same<A, B extends A> = B;
export type _SqlTwin = Same<Sync<typeof sqlite.requestLogSql>, typeof requestLogSql>;
