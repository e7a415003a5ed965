/** Per-variant time series for a route's charts: requests, error rate, p95 latency and TTFT per bucket. */
import { summarize, type VariantWindow } from "./evaluator";
import { buildWindows, type WindowRow } from "./windows";

export interface SeriesPoint {
  t: string;
  requests: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  p95TtftMs: number | null;
}

export function bucketSeries(rows: ReadonlyArray<WindowRow & { createdAt: number }>, from: number, to: number, bucketMs: number) {
  const count = Math.max(1, Math.ceil((to - from) / bucketMs));
  const buckets: Array<Array<WindowRow>> = Array.from({ length: count }, () => []);
  for (const row of rows) {
    const i = Math.floor((row.createdAt - from) / bucketMs);
    if (i >= 0 && i < count) buckets[i]!.push(row);
  }
  const point = (t: number, w: VariantWindow): SeriesPoint => {
    const s = summarize(w);
    return { t: new Date(t).toISOString(), requests: s.requests, errorRate: s.errorRate, p95LatencyMs: s.p95LatencyMs, p95TtftMs: s.p95TtftMs };
  };
  const control: SeriesPoint[] = [];
  const candidate: SeriesPoint[] = [];
  buckets.forEach((b, i) => {
    const w = buildWindows(b);
    const t = from + i * bucketMs;
    control.push(point(t, w.control));
    candidate.push(point(t, w.candidate));
  });
  return { bucketSeconds: bucketMs / 1000, control, candidate };
}
