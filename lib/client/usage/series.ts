/** Turns usage reports into the rows the charts draw: one per day, with every day present. */
import type { UsageReport, UsageRow } from "./reports";

export const SERIES_COLORS = ["#2456d6", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#db2777", "#ca8a04", "#4b5563"];
export const OTHER_COLOR = "#c4cad4";
export const OTHER_KEY = "__other";

/** The biggest groups drawn separately; the rest are summed as "other". */
export const MAX_SERIES = 6;

export function byKey(report: UsageReport | undefined): Map<string, UsageRow> {
  return new Map((report?.data ?? []).map((r) => [r.key ?? "", r]));
}

export interface DailyPoint {
  day: string;
  requests: number;
  errors: number;
  costUsd: number;
  errorRate: number | null;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p50TtftMs: number | null;
  p95TtftMs: number | null;
}

export function dailyPoints(days: string[], report: UsageReport | undefined): DailyPoint[] {
  const rows = byKey(report);
  return days.map((day) => {
    const r = rows.get(day);
    return {
      day,
      requests: r?.requests ?? 0,
      errors: r?.errors ?? 0,
      costUsd: r?.costUsd ?? 0,
      errorRate: r && r.requests > 0 ? (r.errorRate ?? r.errors / r.requests) : null,
      p50LatencyMs: r?.p50LatencyMs ?? null,
      p95LatencyMs: r?.p95LatencyMs ?? null,
      p50TtftMs: r?.p50TtftMs ?? null,
      p95TtftMs: r?.p95TtftMs ?? null,
    };
  });
}

export interface StackSeries {
  key: string;
  label: string;
  color: string;
}

/** The groups with the most spend (then requests), biggest first, at most MAX_SERIES. */
export function topKeys(report: UsageReport | undefined): string[] {
  return [...(report?.data ?? [])]
    .filter((r) => r.key !== null && (r.costUsd > 0 || r.requests > 0))
    .sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests)
    .slice(0, MAX_SERIES)
    .map((r) => r.key!);
}

/**
 * Rows of spend per day, one column per series and an "other" column holding what the drawn series
 * do not (smaller groups, requests without a team); money is summed in micro-USD to avoid drift.
 */
export function stackedSpend(
  days: string[],
  total: UsageReport | undefined,
  perKey: Array<{ key: string; report: UsageReport | undefined }>,
): Array<Record<string, number | string>> {
  const totals = byKey(total);
  const each = perKey.map((p) => ({ key: p.key, rows: byKey(p.report) }));
  return days.map((day) => {
    const row: Record<string, number | string> = { day };
    let drawn = 0;
    for (const { key, rows } of each) {
      const micros = Math.round((rows.get(day)?.costUsd ?? 0) * 1e6);
      row[key] = micros / 1e6;
      drawn += micros;
    }
    const rest = Math.round((totals.get(day)?.costUsd ?? 0) * 1e6) - drawn;
    row[OTHER_KEY] = rest > 0 ? rest / 1e6 : 0;
    return row;
  });
}

export function seriesFor(keys: string[], labelOf: (key: string) => string, withOther: boolean): StackSeries[] {
  const list = keys.map((key, i) => ({ key, label: labelOf(key), color: SERIES_COLORS[i % SERIES_COLORS.length]! }));
  return withOther ? [...list, { key: OTHER_KEY, label: "other", color: OTHER_COLOR }] : list;
}

/** "2025-03-07" → "7 Mar" */
export function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}
