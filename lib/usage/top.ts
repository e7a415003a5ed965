/** GET /api/usage/top: the biggest spenders (teams, models or API keys) over the usual filters. */
import { getApiKeyById } from "@/db/queries/api-keys";
import { listTeams } from "@/db/queries/teams";
import { spendBy } from "@/db/queries/usage-reports";
import { microsToUsd } from "../gateway/cost";
import { badRequest } from "../gateway/errors";
import type { UsageScope } from "./access";
import { oneOf, parseUsageFilter, type ParsedFilter } from "./filters";

const BYS = ["team", "model", "key"] as const;
const MAX_LIMIT = 100;

export interface TopRow {
  key: string | null;
  label: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Share of the range's whole spend, 0–1. */
  share: number;
}

export interface TopReport {
  from: string;
  to: string;
  by: (typeof BYS)[number];
  limit: number;
  filters: ParsedFilter["echo"];
  data: TopRow[];
  totalCostUsd: number;
}

function parseLimit(query: URLSearchParams): number {
  const raw = query.get("limit")?.trim();
  if (!raw) return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw badRequest(`'limit' must be an integer from 1 to ${MAX_LIMIT}.`, "limit");
  return n;
}

async function labeller(by: TopReport["by"]): Promise<(key: string | null) => string | Promise<string>> {
  if (by === "team") {
    const names = new Map((await listTeams()).map((t) => [t.id, t.name]));
    return (key) => (key === null ? "(no team)" : (names.get(key) ?? key));
  }
  if (by === "model") return (key) => key ?? "(no model)";
  // Only the ranked few are looked up; a key deleted with its team keeps its id as the label.
  return async (key) => {
    if (key === null) return "(no key)";
    const k = await getApiKeyById({ id: key });
    return k ? `${k.name} (${k.prefix}…)` : key;
  };
}

export async function topUsage(query: URLSearchParams, scope: UsageScope, now: number): Promise<TopReport> {
  const { filter, echo } = await parseUsageFilter(query, scope, now);
  const by = oneOf(query, "by", BYS, "team");
  const limit = parseLimit(query);
  const rows = await spendBy({ filter, by });
  const totalMicros = rows.reduce((s, r) => s + r.costMicros, 0);
  const label = await labeller(by);
  rows.sort((a, b) => b.costMicros - a.costMicros || b.requests - a.requests || String(a.key).localeCompare(String(b.key)));
  return {
    from: new Date(filter.from).toISOString(),
    to: new Date(filter.to).toISOString(),
    by,
    limit,
    filters: echo,
    data: await Promise.all(
      rows.slice(0, limit).map(async (r) => ({
        key: r.key,
        label: await label(r.key),
        requests: r.requests,
        promptTokens: r.promptTokens,
        completionTokens: r.completionTokens,
        costUsd: microsToUsd(r.costMicros),
        share: totalMicros === 0 ? 0 : r.costMicros / totalMicros,
      })),
    ),
    totalCostUsd: microsToUsd(totalMicros),
  };
}
