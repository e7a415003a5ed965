/**
 * Fills a database with synthetic usage rows shaped like real traffic (a few busy teams, a long
 * tail, streaming and non-streaming, a few percent errors and refusals) for the reports benchmark.
 */
import type Database from "better-sqlite3";
import { seededRandom } from "../../lib/simulator/random";

export interface SeedShape {
  rows: number;
  /** Rows are spread evenly over [from, to). */
  from: number;
  to: number;
  teams: string[];
  models: string[];
  routes: Array<{ id: string; name: string }>;
}

const COLUMNS = [
  "request_id", "created_at", "team_id", "key_id", "user_id", "route_id", "variant", "sticky_key", "requested_model",
  "served_model", "provider_id", "attempts", "fallback_used", "stream", "status", "http_status", "error_type",
  "prompt_tokens", "completion_tokens", "cost_micros", "latency_ms", "ttft_ms",
] as const;

/**
 * One prepared insert, 100,000 rows per transaction, with the usage table's indexes dropped while
 * it runs and rebuilt from their own migration SQL after: building an index once from the finished
 * table is a single sort, where keeping nine wide indexes up to date row by row is a random insert
 * into most of them for every row. Returns the sum of cost_micros written.
 */
export function seedUsage(sqlite: Database.Database, shape: SeedShape): { costMicros: number } {
  const indexes = sqlite
    .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'usage' and sql is not null")
    .all() as Array<{ name: string; sql: string }>;
  for (const { name } of indexes) sqlite.exec(`drop index "${name}"`);
  try {
    return insertRows(sqlite, shape);
  } finally {
    // Each index is one big sort: given room (the sorter's memory follows cache_size), it never spills.
    const saved = sqlite.pragma("cache_size", { simple: true });
    sqlite.pragma("cache_size = -1048576");
    for (const { sql } of indexes) sqlite.exec(sql);
    sqlite.pragma(`cache_size = ${saved}`);
  }
}

function insertRows(sqlite: Database.Database, shape: SeedShape): { costMicros: number } {
  const rand = seededRandom(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Skewed team choice: the first teams carry most of the traffic, as in a real deployment.
  const team = () => shape.teams[Math.min(shape.teams.length - 1, Math.floor(shape.teams.length * rand() * rand()))]!;
  const insert = sqlite.prepare(`insert into usage (${COLUMNS.join(", ")}) values (${COLUMNS.map(() => "?").join(", ")})`);
  const span = shape.to - shape.from;
  // Ids as long as the real ones (`key_` + 24 hex), since index and sort costs depend on them.
  const keys = Array.from({ length: 97 }, (_, i) => `key_${i.toString(16).padStart(24, "0")}`);
  const BATCH = 100_000;
  let total = 0;
  const write = sqlite.transaction((start: number, end: number) => {
    for (let i = start; i < end; i++) {
      const createdAt = shape.from + Math.floor((i / shape.rows) * span);
      const r = rand();
      const status = r < 0.93 ? "ok" : r < 0.96 ? "error" : r < 0.98 ? "rate_limited" : r < 0.99 ? "aborted" : r < 0.995 ? "budget_exceeded" : "rejected";
      const routed = rand() < 0.3 ? pick(shape.routes) : null;
      const stream = rand() < 0.6;
      const served = status === "rate_limited" || status === "rejected" || status === "budget_exceeded" ? null : pick(shape.models);
      const prompt = served ? 20 + Math.floor(rand() * 2000) : 0;
      const completion = served && status !== "error" ? Math.floor(rand() * 800) : 0;
      const cost = served ? prompt * 3 + completion * 12 : 0;
      total += cost;
      const latency = served ? Math.round(150 + Math.exp(rand() * 8)) : Math.floor(rand() * 3);
      insert.run(
        `req_${i.toString(16).padStart(32, "0")}`, createdAt, team(), keys[i % keys.length], null, routed?.id ?? null,
        routed ? (rand() < 0.2 ? "candidate" : "control") : null, routed ? `user-${i % 5000}` : null,
        routed ? routed.name : (served ?? "unknown-model"), served, served ? "prv_bench" : null, served ? 1 : 0,
        0, stream ? 1 : 0, status, status === "ok" ? 200 : status === "error" ? 502 : status === "aborted" ? 499 : 429,
        status === "ok" ? null : status, prompt, completion, cost, latency,
        stream && status === "ok" ? Math.round(latency * (0.1 + rand() * 0.3)) : null,
      );
    }
  });
  for (let start = 0; start < shape.rows; start += BATCH) write(start, Math.min(shape.rows, start + BATCH));
  return { costMicros: total };
}
