/** Wire types and react-query hooks for the usage reports API. */
import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { apiQuery, type UsageFilters } from "./filters";

// The wire shapes are the server's own types, imported as types only: a change to the API shows
// up here as a compile error instead of a silently stale copy.
import type { TeamBudgetUsage } from "@/lib/usage/budgets";
import type { UsageReport, UsageReportRow } from "@/lib/usage/report";
import type { UsageStats } from "@/lib/usage/stats";
import type { TopReport, TopRow } from "@/lib/usage/top";

export type { UsageReport, UsageStats, TopReport, TopRow };
export type GroupBy = UsageReport["groupBy"];
export type TopBy = TopReport["by"];
export type UsageRow = UsageReportRow;
export type BudgetRow = TeamBudgetUsage;
export type BudgetPeriod = TeamBudgetUsage["daily"];

export const usageKeys = {
  all: ["usage"] as const,
  report: (f: UsageFilters, groupBy: GroupBy, extra: Record<string, string> = {}) => ["usage", "report", f, groupBy, extra] as const,
  top: (f: UsageFilters, by: TopBy, limit: number) => ["usage", "top", f, by, limit] as const,
  budgets: (teamId: string) => ["usage", "budgets", teamId] as const,
  keyNames: (teamId: string) => ["usage", "key-names", teamId] as const,
};

const REFRESH_MS = 30_000;

function fetchReport(f: UsageFilters, groupBy: GroupBy, extra: Record<string, string>, signal: AbortSignal) {
  return api<UsageReport>(`/api/usage?${apiQuery(f, { ...extra, groupBy })}`, { signal });
}

export function useUsageReport(f: UsageFilters, groupBy: GroupBy, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: usageKeys.report(f, groupBy),
    queryFn: ({ signal }) => fetchReport(f, groupBy, {}, signal),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
    enabled: opts.enabled ?? true,
  });
}

/**
 * Per-day reports, one for each of `keys` of a dimension (the biggest teams or models): what a
 * chart stacked by that dimension draws.
 */
export function useDailyBy(f: UsageFilters, dimension: "team" | "model", keys: string[]) {
  const param = dimension === "team" ? "teamId" : "model";
  return useQueries({
    queries: keys.map((key) => ({
      queryKey: usageKeys.report(f, "day", { [param]: key }),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchReport(f, "day", { [param]: key }, signal),
      placeholderData: keepPreviousData,
      refetchInterval: REFRESH_MS,
    })),
  });
}

export function useTop(f: UsageFilters, by: TopBy, limit = 10) {
  return useQuery({
    queryKey: usageKeys.top(f, by, limit),
    queryFn: ({ signal }) => api<TopReport>(`/api/usage/top?${apiQuery(f, { by, limit: String(limit) })}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
}

/** Every team's current day and month against its caps; narrowed to one team when the filter names one. */
export function useBudgets(teamId: string) {
  return useQuery({
    queryKey: usageKeys.budgets(""),
    queryFn: ({ signal }) => api<{ data: BudgetRow[] }>("/api/usage/budgets", { signal }).then((r) => r.data),
    select: (rows) => (teamId ? rows.filter((r) => r.teamId === teamId) : rows),
    refetchInterval: REFRESH_MS,
  });
}

export function exportUrl(f: UsageFilters, rows: "raw" | "grouped", groupBy: GroupBy): string {
  return `/api/usage/export.csv?${apiQuery(f, rows === "raw" ? { rows } : { rows, groupBy })}`;
}

/**
 * Key id → "name (sk-sy-abcd…)" for the top-keys table, which reports keys by id. Keys are listed
 * per team, so this asks once per team and keeps the answer for a minute.
 */
export function useKeyNames(teamIds: string[]): Map<string, string> {
  const results = useQueries({
    queries: teamIds.map((id) => ({
      queryKey: usageKeys.keyNames(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<{ data: Array<{ id: string; name: string; prefix: string }> }>(`/api/admin/teams/${encodeURIComponent(id)}/keys`, { signal }).then((r) => r.data),
      staleTime: 60_000,
    })),
  });
  const names = new Map<string, string>();
  for (const r of results) for (const k of r.data ?? []) names.set(k.id, `${k.name} (${k.prefix}…)`);
  return names;
}
