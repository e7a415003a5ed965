"use client";
import Link from "next/link";
import { useMemo } from "react";
import { formatCount, formatFraction, formatMs } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import { useModels } from "@/lib/client/settings/models";
import { useRouteNames, useTeams } from "@/lib/client/settings/teams";
import { daysOf, type UsageFilters } from "@/lib/client/usage/filters";
import { useKeyNames, useUsageReport, type TopBy, type UsageReport, type UsageStats } from "@/lib/client/usage/reports";
import { dailyPoints } from "@/lib/client/usage/series";
import { useUsageFilters } from "@/lib/client/usage/use-filters";
import { BudgetChart } from "./budget-chart";
import { ExportButton } from "./export-button";
import { OutcomeBreakdown } from "./outcome-breakdown";
import { LatencyChart } from "./latency-chart";
import { SpendChart } from "./spend-chart";
import { TopTables } from "./top-tables";
import { TrafficChart } from "./traffic-chart";
import { UsageFilterBar } from "./usage-filters";

export function UsageDashboard() {
  const { filters, update } = useUsageFilters();
  const teams = useTeams();
  const models = useModels();
  const routes = useRouteNames();
  const daily = useUsageReport(filters, "day");

  const teamNames = useMemo(() => new Map((teams.data ?? []).map((t) => [t.id, t.name])), [teams.data]);
  const keyNames = useKeyNames(filters.teamId ? [filters.teamId] : (teams.data ?? []).map((t) => t.id));
  const days = useMemo(() => daysOf(filters), [filters]);
  const points = useMemo(() => dailyPoints(days, daily.data), [days, daily.data]);
  const totals = daily.data?.totals;

  // Keys are reported by id; requests from the chat have none.
  const labelOf = (by: TopBy | "team" | "model", key: string | null, label?: string | null) => {
    if (by === "key") return key === null ? "(no key: chat)" : (keyNames.get(key) ?? label ?? key);
    if (by === "team" && key !== null) return teamNames.get(key) ?? label ?? key;
    return label ?? key ?? "(none)";
  };

  return (
    <main className="page page-wide usage-page">
      <div className="page-head">
        <h1>Usage</h1>
        <p className="muted">Requests, spend and latency through the gateway, from both the API and the chat.</p>
      </div>
      <UsageFilterBar
        filters={filters}
        onChange={update}
        teams={(teams.data ?? []).map((t) => ({ value: t.id, label: t.name }))}
        models={(models.data ?? []).map((m) => ({ value: m.name, label: m.name }))}
        routes={(routes.data ?? []).map((r) => ({ value: r, label: r }))}
        actions={<ExportButton filters={filters} expectedRows={totals?.requests ?? null} />}
      />
      <Totals totals={totals} cache={daily.data?.cache} />
      <OutcomeBreakdown totals={totals} cache={daily.data?.cache} logHref={(status) => requestsHref(filters, status)} />
      <p className="usage-log-link">
        <Link href={requestsHref(filters)} data-testid="request-log-link">
          Every request in this range →
        </Link>
      </p>
      {totals && totals.requests === 0 ? (
        <div className="card empty" data-testid="usage-empty">
          <h2>No requests in this range</h2>
          <p>
            Nothing went through the gateway for these filters. Widen the dates or clear the filters, or send traffic: programs call{" "}
            <code>POST /v1/chat/completions</code> (or <code>/v1/embeddings</code>) with a team&apos;s API key (create one under <Link href="/settings/teams">Settings → Teams</Link>),
            and people use the chat.
          </p>
        </div>
      ) : null}
      <div className="usage-charts">
        <SpendChart filters={filters} days={days} daily={daily.data} labelOf={labelOf} />
        <TrafficChart points={points} loading={!daily.data} error={daily.error} />
        <LatencyChart filters={filters} points={points} loading={!daily.data} error={daily.error} />
        <BudgetChart teamId={filters.teamId} />
      </div>
      <TopTables filters={filters} labelOf={labelOf} />
    </main>
  );
}

/** The request log with the dashboard's filters carried over. */
function requestsHref(f: UsageFilters, status?: string): string {
  const q = new URLSearchParams({ from: f.from, to: f.to });
  if (f.teamId) q.set("team", f.teamId);
  if (f.model) q.set("model", f.model);
  if (f.route) q.set("route", f.route);
  if (f.endpoint) q.set("endpoint", f.endpoint);
  if (status) q.set("status", status);
  return `/usage/requests?${q}`;
}

function Totals({ totals, cache }: { totals: UsageStats | undefined; cache: UsageReport["cache"] | undefined }) {
  const items = [
    { label: "Requests", value: formatCount(totals?.requests) },
    { label: "Upstream errors", value: totals ? `${formatCount(totals.errors)} (${formatFraction(totals.requests ? totals.errors / totals.requests : null)})` : "—" },
    { label: "Spend", value: formatUsd(totals?.costUsd) },
    { label: "Tokens in / out", value: totals ? `${formatCount(totals.promptTokens)} / ${formatCount(totals.completionTokens)}` : "—" },
    { label: "p95 latency", value: formatMs(totals?.p95LatencyMs) },
    { label: "p95 time to first token", value: formatMs(totals?.p95TtftMs) },
    { label: "Cache hits / saved", value: cache ? `${formatCount(cache.hits)} / ${formatUsd(cache.savedUsd)}` : "—" },
  ];
  return (
    <dl className="totals" data-testid="usage-totals">
      {items.map((i) => (
        <div key={i.label} className="total">
          <dt>{i.label}</dt>
          <dd>{i.value}</dd>
        </div>
      ))}
    </dl>
  );
}
