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

/** The models a route's variants pointed at from `at` on (read from its audit trail). */
export interface Assignment {
  at: number;
  control: string;
  candidate: string | null;
}

/**
 * One line per (variant, model) that served the route in the window, so a promotion starts a new
 * line instead of relabelling the old control's history. A point is null where that pair was not
 * assigned at any time in the bucket, so the chart leaves a gap there.
 */
export interface ModelSeries {
  key: string;
  variant: "control" | "candidate";
  model: string;
  /** True for the pair serving now; false for history (e.g. the control before a promotion). */
  current: boolean;
  points: Array<SeriesPoint | null>;
}

type Row = WindowRow & { createdAt: number };

/** The assignment in force at `t`, or null before the route existed. */
function assignmentAt(timeline: readonly Assignment[], t: number): Assignment | null {
  let found: Assignment | null = null;
  for (const a of timeline) if (a.at <= t) found = a;
  return found;
}

export function bucketSeries(rows: readonly Row[], from: number, to: number, bucketMs: number, timeline: readonly Assignment[] = []) {
  const count = Math.max(1, Math.ceil((to - from) / bucketMs));
  const buckets: Array<Array<Row>> = Array.from({ length: count }, () => []);
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
  return { bucketSeconds: bucketMs / 1000, control, candidate, series: modelSeries(buckets, from, bucketMs, timeline, point) };
}

function modelSeries(buckets: Row[][], from: number, bucketMs: number, timeline: readonly Assignment[], point: (t: number, w: VariantWindow) => SeriesPoint): ModelSeries[] {
  if (!timeline.length) return [];
  const sorted = [...timeline].sort((a, b) => a.at - b.at);
  const now = sorted[sorted.length - 1]!;
  const byKey = new Map<string, ModelSeries>();
  const get = (variant: "control" | "candidate", model: string) => {
    const key = `${variant}:${model}`;
    let s = byKey.get(key);
    if (!s) {
      s = { key, variant, model, current: variant === "control" ? now.control === model : now.candidate === model, points: buckets.map(() => null) };
      byKey.set(key, s);
    }
    return s;
  };
  buckets.forEach((bucket, i) => {
    const start = from + i * bucketMs;
    const end = start + bucketMs;
    // Every assignment in force during the bucket gets a point (zero requests is still a value).
    const atStart = assignmentAt(sorted, start);
    const active = [...(atStart ? [atStart] : []), ...sorted.filter((a) => a.at > start && a.at < end)];
    const groups = new Map<string, Row[]>();
    for (const a of active) {
      groups.set(`control:${a.control}`, groups.get(`control:${a.control}`) ?? []);
      if (a.candidate) groups.set(`candidate:${a.candidate}`, groups.get(`candidate:${a.candidate}`) ?? []);
    }
    for (const row of bucket) {
      if (row.variant !== "control" && row.variant !== "candidate") continue;
      const a = assignmentAt(sorted, row.createdAt) ?? sorted[0]!;
      const model = row.variant === "control" ? a.control : a.candidate;
      if (!model) continue;
      const key = `${row.variant}:${model}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, groupRows] of groups) {
      const [variant, ...rest] = key.split(":");
      const s = get(variant as "control" | "candidate", rest.join(":"));
      const w = buildWindows(groupRows);
      s.points[i] = point(start, variant === "control" ? w.control : w.candidate);
    }
  });
  const order = (s: ModelSeries) => (s.current ? 0 : 1) * 2 + (s.variant === "control" ? 0 : 1);
  return [...byKey.values()].sort((a, b) => order(a) - order(b));
}
