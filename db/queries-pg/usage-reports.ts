/**
 * Report queries over the usage table in Postgres: the twin of db/queries/usage-reports.ts, with
 * the same groups in the same order. Postgres groups by hashing, so each report is one GROUP BY
 * over the filtered rows instead of the SQLite twin's seek per key.
 */
import type { RawUsageRow, SpendRow, UsageAggregate, UsageFilter, UsageGroup, UsageGroupBy } from "../queries/usage-reports";
import { params, queryArrays } from "./raw";

const DAY_MS = 86_400_000;

type Params = ReturnType<typeof params>;

function whereClause(filter: UsageFilter, q: Params, alias = ""): string {
  const parts = [`${alias}created_at >= ${q.p(filter.from)}`, `${alias}created_at < ${q.p(filter.to)}`];
  const eq = { team_id: filter.teamId, served_model: filter.model, route_id: filter.routeId, endpoint: filter.endpoint };
  for (const [column, value] of Object.entries(eq)) if (value !== undefined) parts.push(`${alias}${column} = ${q.p(value)}`);
  return parts.join(" AND ");
}

// The samples come unsorted and are sorted in JS, as the SQLite twin does: the database is the
// one thing every instance shares, so the sort is left to the instance that asked. ok is the number
// of latency samples and rejected what the other statuses leave, as in the twin.
const AGGREGATES = `
  count(*),
  count(*) FILTER (WHERE status = 'error'),
  count(*) FILTER (WHERE status = 'rate_limited'),
  count(*) FILTER (WHERE status = 'budget_exceeded'),
  count(*) FILTER (WHERE status = 'aborted'),
  coalesce(sum(prompt_tokens), 0),
  coalesce(sum(completion_tokens), 0),
  coalesce(sum(cost_micros), 0),
  array_agg(latency_ms) FILTER (WHERE status = 'ok'),
  array_agg(ttft_ms) FILTER (WHERE status = 'ok' AND ttft_ms IS NOT NULL)`;

const INT4_ARRAY = 1007;

/**
 * An integer[] without nulls, from its text form ("{12,-3,400}") straight into an Int32Array: a
 * report over a million rows carries a million samples, and pg's general array reader (quotes,
 * nulls, nesting, a JS number per element) took longer than the query.
 */
export function parseSamples(text: string): Int32Array {
  if (text.length <= 2) return new Int32Array(0);
  let n = 1;
  for (let i = 1; i < text.length - 1; i++) if (text.charCodeAt(i) === 44) n++;
  const out = new Int32Array(n);
  let k = 0;
  let value = 0;
  let sign = 1;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (c === 45) sign = -1;
    else if (c === 44 || c === 125) {
      out[k++] = sign * value;
      value = 0;
      sign = 1;
    } else throw new Error(`not an integer array without nulls: ${text.slice(0, 40)}`);
  }
  return out;
}

// array_agg over no rows is null, not an empty array.
const sortedSamples = (values: unknown): Int32Array => ((values as Int32Array | null) ?? new Int32Array(0)).sort();

function toAggregate(row: unknown[]): UsageAggregate {
  const n = (i: number) => Number(row[i] ?? 0);
  const latenciesMs = sortedSamples(row[8]);
  const [requests, errors, rateLimited, budgetExceeded, aborted] = [n(0), n(1), n(2), n(3), n(4)];
  const ok = latenciesMs.length;
  return {
    requests,
    ok,
    errors,
    rateLimited,
    budgetExceeded,
    aborted,
    // The statuses are exhaustive (see db/schema-pg/usage.ts).
    rejected: requests - ok - errors - rateLimited - budgetExceeded - aborted,
    promptTokens: n(5),
    completionTokens: n(6),
    costMicros: n(7),
    latenciesMs,
    ttftsMs: sortedSamples(row[9]),
  };
}

// The SQLite twin lists keys in its BINARY order (bytes of UTF-8), a null key after the others,
// and, within a route, a null variant before the others (SQLite's GROUP BY order). COLLATE "C"
// compares bytes too, whatever the database's own collation.
const DAY_KEY = `created_at - mod(mod(created_at, ${DAY_MS}) + ${DAY_MS}, ${DAY_MS})`;
const VARIANT_KEY = "CASE WHEN route_id IS NULL THEN NULL ELSE variant END";
const GROUPINGS: Record<UsageGroupBy, { keys: string[]; order: string }> = {
  // The key is the UTC day's first ms, also for rows before 1970 (mod keeps the dividend's sign).
  day: { keys: [DAY_KEY], order: DAY_KEY },
  team: { keys: ["team_id"], order: `team_id COLLATE "C" NULLS LAST` },
  model: { keys: ["served_model"], order: `served_model COLLATE "C" NULLS LAST` },
  // Rows without a route (direct model calls) are one group, whatever their variant.
  variant: { keys: ["route_id", VARIANT_KEY], order: `route_id COLLATE "C" NULLS LAST, (${VARIANT_KEY}) COLLATE "C" NULLS FIRST` },
};

/** Aggregates of the filtered rows per group; the groups partition the rows, so they sum to the whole. */
export async function groupUsage({ filter, groupBy }: { filter: UsageFilter; groupBy: UsageGroupBy }): Promise<UsageGroup[]> {
  if (filter.from >= filter.to) return [];
  const { keys, order } = GROUPINGS[groupBy];
  const q = params();
  const rows = await queryArrays(
    `SELECT ${keys.join(", ")}, ${AGGREGATES} FROM usage WHERE ${whereClause(filter, q)} GROUP BY ${keys.join(", ")} ORDER BY ${order}`,
    q.values,
    { [INT4_ARRAY]: parseSamples },
  );
  return rows.map((row) => ({ key: row.slice(0, keys.length) as UsageGroup["key"], agg: toAggregate(row.slice(keys.length)) }));
}

const SPEND_COLUMN = { team: "team_id", model: "served_model", key: "key_id" } as const;

/** Spend per team, model or API key over the filter, every key with rows (callers rank and cut). */
export async function spendBy({ filter, by }: { filter: UsageFilter; by: "team" | "model" | "key" }): Promise<SpendRow[]> {
  if (filter.from >= filter.to) return [];
  const column = SPEND_COLUMN[by];
  const q = params();
  const rows = await queryArrays(
    `SELECT ${column}, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(cost_micros), 0)
     FROM usage WHERE ${whereClause(filter, q)} GROUP BY ${column} ORDER BY ${column} COLLATE "C" NULLS LAST`,
    q.values,
  );
  return rows.map((row) => ({
    key: (row[0] as string | null) ?? null,
    requests: Number(row[1]),
    promptTokens: Number(row[2]),
    completionTokens: Number(row[3]),
    costMicros: Number(row[4]),
  }));
}

// RAW_USAGE_COLUMNS of the SQLite twin, spelled out because only its type may be imported here
// (the facade imports this module); `satisfies` fails to compile if the two lists ever differ.
const RAW_COLUMNS = [
  "request_id", "created_at", "endpoint", "team_id", "team_name", "key_id", "user_id", "route_id", "variant", "sticky_key",
  "requested_model", "served_model", "provider_id", "attempts", "fallback_used", "stream", "status", "http_status",
  "error_type", "prompt_tokens", "completion_tokens", "cost_micros", "latency_ms", "ttft_ms",
  "user_email", "key_name",
] as const satisfies typeof import("../queries/usage-reports").RAW_USAGE_COLUMNS;

// Joined names, and booleans as the 0/1 SQLite stores.
const RAW_SELECT: Partial<Record<(typeof RAW_COLUMNS)[number], string>> = {
  team_name: "t.name", user_email: "p.email", key_name: "k.name", fallback_used: "u.fallback_used::int", stream: "u.stream::int",
};
const RAW_LIST = RAW_COLUMNS.map((c) => RAW_SELECT[c] ?? `u.${c}`).join(", ");

/** Rows fetched per query: enough to make the round trips cheap, few enough to hold in memory. */
const RAW_BATCH = 2_000;

export interface AsyncRawUsageCursor {
  rows: AsyncIterableIterator<RawUsageRow>;
  /** Stops the iteration after the batch in hand; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * The filtered rows in (created_at, id) order, as arrays in RAW_USAGE_COLUMNS order, fetched a
 * batch at a time by keyset: each batch starts after the last row of the one before, so memory
 * stays at one batch however many rows there are, and no connection is held between batches (an
 * export that downloads slowly does not take one from the pool). Unlike the SQLite twin's single
 * read, there is no snapshot across batches: a row written meanwhile inside the range may appear.
 */
export function openRawUsageCursor({ filter }: { filter: UsageFilter }): AsyncRawUsageCursor {
  let open = true;
  async function* batches(): AsyncGenerator<RawUsageRow> {
    let after: [number, number] | null = null;
    while (open) {
      const q = params();
      const keyset = after ? ` AND (u.created_at, u.id) > (${q.p(after[0])}, ${q.p(after[1])})` : "";
      const rows = await queryArrays(
        `SELECT ${RAW_LIST}, u.id FROM usage u LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN users p ON p.id = u.user_id
         LEFT JOIN api_keys k ON k.id = u.key_id WHERE ${whereClause(filter, q, "u.")}${keyset}
         ORDER BY u.created_at, u.id LIMIT ${q.p(RAW_BATCH)}`,
        q.values,
      );
      for (const row of rows) {
        if (!open) return;
        const id = row.pop() as number;
        after = [row[1] as number, id];
        yield row;
      }
      if (rows.length < RAW_BATCH) return;
    }
  }
  const rows = batches();
  return {
    rows,
    async close() {
      if (!open) return;
      open = false;
      // Ends the generator now (after a query in flight, if any) so the batch it holds is let go.
      await rows.return(undefined);
    },
  };
}

/** Response-cache hits in the filter's rows and what they saved. */
export async function cacheSavings(filter: UsageFilter): Promise<{ hits: number; savedMicros: number }> {
  const q = params();
  const [row] = await queryArrays(`SELECT count(*), coalesce(sum(saved_micros), 0) FROM usage WHERE cache = 'hit' AND ${whereClause(filter, q)}`, q.values);
  return { hits: Number(row?.[0] ?? 0), savedMicros: Number(row?.[1] ?? 0) };
}

import type * as sqlite from "../queries/usage-reports";
import type { AsyncTwin } from "./twin";
// The raw cursor is the one exception: its rows arrive a batch at a time, so they are an
// AsyncIterable and close() returns a Promise; the cursor itself is returned at once, as the
// twin's is, since nothing is read before the first row is asked for. Its parameters are still
// held to the twin's.
export type _Twin = AsyncTwin<Omit<typeof sqlite, "openRawUsageCursor">, typeof import("./usage-reports")>;
export type _CursorTwin = AsyncTwin<
  { openRawUsageCursor: (...args: Parameters<typeof sqlite.openRawUsageCursor>) => AsyncRawUsageCursor },
  { openRawUsageCursor: (...args: Parameters<typeof openRawUsageCursor>) => Promise<ReturnType<typeof openRawUsageCursor>> }
>;
