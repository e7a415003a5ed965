/**
 * Report queries over the usage table: grouped aggregates with the raw latency samples for exact
 * percentiles, top spenders, and the cursor behind the raw CSV export.
 *
 * Groups are computed one key at a time, each an index seek (key, created_at range) over a
 * covering index, instead of one GROUP BY: SQLite groups by sorting, and sorting a million rows
 * costs more than the scan itself. Keys are found with a loose index scan (min(col) > previous).
 */
import Database from "better-sqlite3";
import { getDb } from "../client";

const DAY_MS = 86_400_000;

export interface UsageFilter {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
  teamId?: string;
  /** Matches served_model. */
  model?: string;
  routeId?: string;
  /** chat | embeddings | responses */
  endpoint?: string;
}

export interface UsageAggregate {
  requests: number;
  ok: number;
  errors: number;
  rateLimited: number;
  budgetExceeded: number;
  aborted: number;
  rejected: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  /** Latencies of successful requests, sorted ascending. */
  latenciesMs: Int32Array;
  /** Times to first token of successful streamed requests, sorted ascending. */
  ttftsMs: Int32Array;
}

export type UsageGroupBy = "day" | "team" | "model" | "variant";

/** day: [utc day start ms]; team: [team id]; model: [served model]; variant: [route id, variant]. */
export interface UsageGroup {
  key: Array<string | number | null>;
  agg: UsageAggregate;
}

type Column = "team_id" | "served_model" | "route_id" | "key_id" | "endpoint";
type Statement = Database.Statement<unknown[], unknown>;

const statements = new WeakMap<Database.Database, Map<string, Statement>>();

/** Prepared once per connection and SQL text; reports reuse a handful of shapes. */
function prepare(sql: string): Statement {
  const conn = getDb().$client;
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}

/** The filter, plus equality on group-key columns (IS, so a null key selects the rows without one). */
function whereClause(filter: UsageFilter, keys: Partial<Record<Column, string | null>> = {}, alias = "") {
  const parts = [`${alias}created_at >= ?`, `${alias}created_at < ?`];
  const params: unknown[] = [filter.from, filter.to];
  const eq: Partial<Record<Column, string | null>> = { team_id: filter.teamId, served_model: filter.model, route_id: filter.routeId, endpoint: filter.endpoint, ...keys };
  for (const [column, value] of Object.entries(eq)) {
    if (value === undefined) continue;
    parts.push(`${alias}${column} IS ?`);
    params.push(value);
  }
  return { sql: parts.join(" AND "), params };
}

// json_group_array hands the samples over in one string per group; parsing and sorting them in JS
// is several times cheaper than SQLite's percentile functions (which sort once per percentile).
// Every expression here is evaluated per row, so counts that can be derived are not computed:
// ok is the number of latency samples, and rejected is what the other statuses leave.
const AGGREGATES = `
  count(*),
  count(*) FILTER (WHERE status = 'error'),
  count(*) FILTER (WHERE status = 'rate_limited'),
  count(*) FILTER (WHERE status = 'budget_exceeded'),
  count(*) FILTER (WHERE status = 'aborted'),
  coalesce(sum(prompt_tokens), 0),
  coalesce(sum(completion_tokens), 0),
  coalesce(sum(cost_micros), 0),
  json_group_array(latency_ms) FILTER (WHERE status = 'ok'),
  json_group_array(ttft_ms) FILTER (WHERE status = 'ok' AND ttft_ms IS NOT NULL)`;

const sortedSamples = (json: string): Int32Array => Int32Array.from(JSON.parse(json) as number[]).sort();

function toAggregate(row: unknown[]): UsageAggregate {
  const n = (i: number) => Number(row[i] ?? 0);
  const latenciesMs = sortedSamples(String(row[8] ?? "[]"));
  const [requests, errors, rateLimited, budgetExceeded, aborted] = [n(0), n(1), n(2), n(3), n(4)];
  const ok = latenciesMs.length;
  return {
    requests,
    ok,
    errors,
    rateLimited,
    budgetExceeded,
    aborted,
    // The statuses are exhaustive (see db/schema/usage.ts).
    rejected: requests - ok - errors - rateLimited - budgetExceeded - aborted,
    promptTokens: n(5),
    completionTokens: n(6),
    costMicros: n(7),
    latenciesMs,
    ttftsMs: sortedSamples(String(row[9] ?? "[]")),
  };
}

function aggregate(filter: UsageFilter, keys: Partial<Record<Column, string | null>>): UsageAggregate {
  const where = whereClause(filter, keys);
  return toAggregate(prepare(`SELECT ${AGGREGATES} FROM usage WHERE ${where.sql}`).raw().get(...where.params) as unknown[]);
}

/** Distinct non-null values of an indexed column, each found by one seek; then null, which is a group too. */
function distinctValues(column: Column): Array<string | null> {
  const next = prepare(`SELECT min(${column}) FROM usage WHERE ${column} > ?`).pluck();
  const out: Array<string | null> = [];
  let value = prepare(`SELECT min(${column}) FROM usage`).pluck().get() as string | null;
  while (value !== null && value !== undefined) {
    out.push(value);
    value = next.get(value) as string | null;
  }
  out.push(null);
  return out;
}

/** The keys to report for a column: just the filtered one when the filter pins it. */
function keysOf(column: Column, pinned: string | undefined): Array<string | null> {
  return pinned !== undefined ? [pinned] : distinctValues(column);
}

/** Day by day: each day is one range seek, and the next day with rows is found by a seek too. */
function groupByDay(filter: UsageFilter): UsageGroup[] {
  const where = whereClause(filter);
  // The first two parameters are the bounds, moved along day by day; the rest are equalities.
  const rest = where.params.slice(2);
  const firstFrom = prepare(`SELECT min(created_at) FROM usage WHERE ${where.sql}`).pluck();
  const out: UsageGroup[] = [];
  let cursor = filter.from;
  while (cursor < filter.to) {
    const first = firstFrom.get(cursor, filter.to, ...rest) as number | null;
    if (first === null || first === undefined) break;
    const day = Math.floor(first / DAY_MS) * DAY_MS;
    const end = Math.min(day + DAY_MS, filter.to);
    out.push({ key: [day], agg: aggregate({ ...filter, from: Math.max(day, filter.from), to: end }, {}) });
    cursor = end;
  }
  return out;
}

function groupByColumn(filter: UsageFilter, column: "team_id" | "served_model", pinned: string | undefined): UsageGroup[] {
  const out: UsageGroup[] = [];
  for (const key of keysOf(column, pinned)) {
    const agg = aggregate(filter, { [column]: key });
    if (agg.requests > 0) out.push({ key: [key], agg });
  }
  return out;
}

/**
 * Per route, then per variant within it. Rows without a route (direct model calls) are one group;
 * within a route the GROUP BY sorts only that route's rows.
 */
function groupByVariant(filter: UsageFilter): UsageGroup[] {
  const out: UsageGroup[] = [];
  for (const routeId of keysOf("route_id", filter.routeId)) {
    if (routeId === null) {
      const agg = aggregate(filter, { route_id: null });
      if (agg.requests > 0) out.push({ key: [null, null], agg });
      continue;
    }
    const where = whereClause(filter, { route_id: routeId });
    const rows = prepare(`SELECT variant, ${AGGREGATES} FROM usage WHERE ${where.sql} GROUP BY variant`).raw().all(...where.params) as unknown[][];
    for (const row of rows) out.push({ key: [routeId, (row[0] as string | null) ?? null], agg: toAggregate(row.slice(1)) });
  }
  return out;
}

/** Aggregates of the filtered rows per group; the groups partition the rows, so they sum to the whole. */
export function groupUsage({ filter, groupBy }: { filter: UsageFilter; groupBy: UsageGroupBy }): UsageGroup[] {
  if (filter.from >= filter.to) return [];
  switch (groupBy) {
    case "day":
      return groupByDay(filter);
    case "team":
      return groupByColumn(filter, "team_id", filter.teamId);
    case "model":
      return groupByColumn(filter, "served_model", filter.model);
    case "variant":
      return groupByVariant(filter);
  }
}

export interface SpendRow {
  key: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

const SPEND = "count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(cost_micros), 0)";

const toSpend = (key: string | null, row: unknown[]): SpendRow => ({
  key,
  requests: Number(row[0]),
  promptTokens: Number(row[1]),
  completionTokens: Number(row[2]),
  costMicros: Number(row[3]),
});

/** Spend per team, model or API key over the filter, every key with rows (callers rank and cut). */
export function spendBy({ filter, by }: { filter: UsageFilter; by: "team" | "model" | "key" }): SpendRow[] {
  if (filter.from >= filter.to) return [];
  const column = by === "team" ? "team_id" : by === "model" ? "served_model" : "key_id";
  const pinned = by === "team" ? filter.teamId : by === "model" ? filter.model : undefined;
  const out: SpendRow[] = [];
  for (const key of keysOf(column, pinned)) {
    const where = whereClause(filter, { [column]: key });
    const row = toSpend(key, prepare(`SELECT ${SPEND} FROM usage WHERE ${where.sql}`).raw().get(...where.params) as unknown[]);
    if (row.requests > 0) out.push(row);
  }
  return out;
}

export const RAW_USAGE_COLUMNS = [
  "request_id", "created_at", "endpoint", "team_id", "team_name", "key_id", "user_id", "route_id", "variant", "sticky_key",
  "requested_model", "served_model", "provider_id", "attempts", "fallback_used", "stream", "status", "http_status",
  "error_type", "prompt_tokens", "completion_tokens", "cost_micros", "latency_ms", "ttft_ms",
  // Appended later; existing columns keep their places for spreadsheets and scripts that read them.
  "user_email", "key_name",
] as const;

export type RawUsageRow = unknown[];

/** Rows one at a time: SQLite hands them over synchronously, Postgres in fetched batches. */
export interface RawUsageCursor {
  rows: IterableIterator<RawUsageRow> | AsyncIterableIterator<RawUsageRow>;
  /** Ends the iteration and releases the connection; safe to call more than once. */
  close(): void | Promise<void>;
}

/**
 * The filtered rows in created_at order, one at a time, as arrays in RAW_USAGE_COLUMNS order.
 * An open better-sqlite3 iterator makes its connection refuse every write, so the cursor gets a
 * read-only connection of its own: the gateway keeps recording usage while an export downloads.
 * (WAL lets that reader keep its snapshot while writers go on.)
 */
export function openRawUsageCursor({ filter }: { filter: UsageFilter }): RawUsageCursor {
  const main = getDb().$client;
  // An in-memory database has no file a second connection could open.
  const conn = main.memory ? main : new Database(main.name, { readonly: true, fileMustExist: true });
  if (conn !== main) conn.pragma("busy_timeout = 5000");
  const where = whereClause(filter, {}, "u.");
  const joined: Partial<Record<(typeof RAW_USAGE_COLUMNS)[number], string>> = { team_name: "t.name", user_email: "p.email", key_name: "k.name" };
  const select = RAW_USAGE_COLUMNS.map((c) => joined[c] ?? `u.${c}`).join(", ");
  const stmt = conn.prepare(
    `SELECT ${select} FROM usage u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users p ON p.id = u.user_id
     LEFT JOIN api_keys k ON k.id = u.key_id WHERE ${where.sql} ORDER BY u.created_at, u.id`,
  );
  const rows = stmt.raw().iterate(...where.params) as IterableIterator<RawUsageRow>;
  let open = true;
  return {
    rows,
    close() {
      if (!open) return;
      open = false;
      rows.return?.();
      if (conn !== main) conn.close();
    },
  };
}

/** Response-cache hits in the filter's rows and what they saved, from the hits-only index. */
export function cacheSavings(filter: UsageFilter): { hits: number; savedMicros: number } {
  const where = whereClause(filter);
  const row = prepare(`SELECT count(*), coalesce(sum(saved_micros), 0) FROM usage WHERE cache = 'hit' AND ${where.sql}`).raw().get(...where.params) as unknown[];
  return { hits: Number(row[0] ?? 0), savedMicros: Number(row[1] ?? 0) };
}
