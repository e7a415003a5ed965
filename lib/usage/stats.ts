/** Turns raw aggregates (integer micro-USD, sorted samples) into the numbers the API reports. */
import type { UsageAggregate } from "@/db/queries/usage-reports";
import { microsToUsd } from "../gateway/cost";
import { mergedPercentile, percentile } from "./percentiles";

export interface UsageStats {
  requests: number;
  ok: number;
  /** Upstream failures and gateway faults (status error); refusals are counted apart. */
  errors: number;
  rateLimited: number;
  budgetExceeded: number;
  aborted: number;
  rejected: number;
  /** errors / requests, 0 when there were none. */
  errorRate: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Over successful requests: a refusal answered in 0 ms would otherwise drag them down. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  /** Over successful streamed requests. */
  p50TtftMs: number | null;
  p95TtftMs: number | null;
}

type Counts = Omit<UsageAggregate, "latenciesMs" | "ttftsMs">;

const COUNT_FIELDS = [
  "requests", "ok", "errors", "rateLimited", "budgetExceeded", "aborted", "rejected", "promptTokens", "completionTokens", "costMicros",
] as const satisfies ReadonlyArray<keyof Counts>;

export const emptyAggregate = (): UsageAggregate => ({
  requests: 0, ok: 0, errors: 0, rateLimited: 0, budgetExceeded: 0, aborted: 0, rejected: 0,
  promptTokens: 0, completionTokens: 0, costMicros: 0, latenciesMs: new Int32Array(0), ttftsMs: new Int32Array(0),
});

function fromCounts(c: Counts, pct: (which: "latency" | "ttft", p: number) => number | null): UsageStats {
  return {
    requests: c.requests,
    ok: c.ok,
    errors: c.errors,
    rateLimited: c.rateLimited,
    budgetExceeded: c.budgetExceeded,
    aborted: c.aborted,
    rejected: c.rejected,
    errorRate: c.requests === 0 ? 0 : c.errors / c.requests,
    promptTokens: c.promptTokens,
    completionTokens: c.completionTokens,
    costUsd: microsToUsd(c.costMicros),
    p50LatencyMs: pct("latency", 0.5),
    p95LatencyMs: pct("latency", 0.95),
    p50TtftMs: pct("ttft", 0.5),
    p95TtftMs: pct("ttft", 0.95),
  };
}

export function statsOf(agg: UsageAggregate): UsageStats {
  return fromCounts(agg, (which, p) => percentile(which === "latency" ? agg.latenciesMs : agg.ttftsMs, p));
}

/** Sums are added in integers (so they equal the raw rows' to the micro-dollar); percentiles are exact over the union. */
export function totalsOf(aggs: readonly UsageAggregate[]): UsageStats {
  const sum = Object.fromEntries(COUNT_FIELDS.map((f) => [f, aggs.reduce((s, a) => s + a[f], 0)])) as Counts;
  const latencies = aggs.map((a) => a.latenciesMs);
  const ttfts = aggs.map((a) => a.ttftsMs);
  return fromCounts(sum, (which, p) => mergedPercentile(which === "latency" ? latencies : ttfts, p));
}
