/** GET /api/usage: aggregates per day, team, model or variant, with totals over the same rows. */
import { cacheSavings, groupUsage, type UsageAggregate, type UsageFilter, type UsageGroupBy } from "@/db/queries/usage-reports";
import type { UsageScope } from "./access";
import { oneOf, parseUsageFilter, type ParsedFilter } from "./filters";
import { groupNamer, type GroupName } from "./labels";
import { emptyAggregate, statsOf, totalsOf, type UsageStats } from "./stats";

export const GROUP_BYS = ["day", "team", "model", "variant"] as const satisfies readonly UsageGroupBy[];

const DAY_MS = 86_400_000;
// Charts want every day, empty ones too; past this many days the answer stays sparse.
const MAX_FILLED_DAYS = 1000;

export type UsageReportRow = GroupName & UsageStats;

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  filters: ParsedFilter["echo"];
  data: UsageReportRow[];
  totals: UsageStats;
  /** Requests answered from the response cache, and what the answers cost when they were made. */
  cache: { hits: number; savedUsd: number };
}

export interface NamedGroup {
  name: GroupName;
  agg: UsageAggregate;
}

/** Days without traffic become empty groups, so a chart of the range has no holes. */
function fillDays(groups: Array<{ key: Array<string | number | null>; agg: UsageAggregate }>, filter: UsageFilter) {
  const first = Math.floor(filter.from / DAY_MS) * DAY_MS;
  const days = Math.ceil((filter.to - first) / DAY_MS);
  if (days > MAX_FILLED_DAYS) return groups;
  const byDay = new Map(groups.map((g) => [Number(g.key[0]), g]));
  return Array.from({ length: days }, (_, i) => byDay.get(first + i * DAY_MS) ?? { key: [first + i * DAY_MS], agg: emptyAggregate() });
}

/** Groups in display order: days in time order, everything else by spend, then volume. */
export async function namedGroups(filter: UsageFilter, groupBy: UsageGroupBy): Promise<NamedGroup[]> {
  const raw = await groupUsage({ filter, groupBy });
  const groups = groupBy === "day" ? fillDays(raw, filter) : raw;
  const name = await groupNamer(groupBy);
  const named = groups.map((g) => ({ name: name(g.key), agg: g.agg }));
  if (groupBy !== "day") {
    named.sort((a, b) => b.agg.costMicros - a.agg.costMicros || b.agg.requests - a.agg.requests || String(a.name.key).localeCompare(String(b.name.key)));
  }
  return named;
}

export async function usageReport(query: URLSearchParams, scope: UsageScope, now: number): Promise<UsageReport> {
  const { filter, echo } = await parseUsageFilter(query, scope, now);
  const groupBy = oneOf(query, "groupBy", GROUP_BYS, "day");
  const groups = await namedGroups(filter, groupBy);
  return {
    from: new Date(filter.from).toISOString(),
    to: new Date(filter.to).toISOString(),
    groupBy,
    filters: echo,
    data: groups.map((g) => ({ ...g.name, ...statsOf(g.agg) })),
    totals: totalsOf(groups.map((g) => g.agg)),
    cache: (({ hits, savedMicros }) => ({ hits, savedUsd: savedMicros / 1_000_000 }))(await cacheSavings(filter)),
  };
}
