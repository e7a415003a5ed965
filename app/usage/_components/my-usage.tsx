"use client";
import { useQuery } from "@tanstack/react-query";
import { api, errorMessage } from "@/lib/client/api";
import { formatCount } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import { useLogFilters } from "@/lib/client/usage/request-log";
import type { MyUsage as MyUsageReport } from "@/lib/usage/my-usage";
import { RequestLog } from "./request-log";

type Period = NonNullable<MyUsageReport["team"]>["daily"];

/** A person's own spend, what their team has left, and their own requests. */
export function MyUsage() {
  const { filters, update } = useLogFilters();
  const summary = useQuery({
    queryKey: ["usage", "me"],
    queryFn: ({ signal }) => api<MyUsageReport>("/api/me/usage", { signal }),
    refetchInterval: 30_000,
  });
  const s = summary.data;
  const left = (p: Period | undefined) => (!p ? "—" : p.leftUsd === null ? "No cap" : `${formatUsd(p.leftUsd)} of ${formatUsd(p.capUsd)}`);
  // Short labels and values: the cards are narrow.
  const items = [
    { id: "spent-today", label: "My spend today", value: s ? formatUsd(s.today.spentUsd) : "—" },
    { id: "requests-today", label: "My requests today", value: s ? formatCount(s.today.requests) : "—" },
    { id: "spent-month", label: "My spend this month", value: s ? formatUsd(s.thisMonth.spentUsd) : "—" },
    { id: "requests-month", label: "My requests this month", value: s ? formatCount(s.thisMonth.requests) : "—" },
    { id: "team-left-today", label: "Team left today", value: s && !s.team ? "No team" : left(s?.team?.daily) },
    { id: "team-left-month", label: "Team left this month", value: s && !s.team ? "No team" : left(s?.team?.monthly) },
  ];

  return (
    <main className="page page-wide usage-page">
      <div className="page-head">
        <h1>My usage</h1>
        <p className="muted">
          What your chats cost{s?.team ? ` and what ${s.team.name} has left to spend` : ""}. Days are UTC, like budgets.
        </p>
      </div>
      {summary.error ? (
        <p className="field-error" role="alert">
          {errorMessage(summary.error)}
        </p>
      ) : null}
      <dl className="totals" data-testid="my-usage-totals">
        {items.map((i) => (
          <div key={i.id} className="total">
            <dt>{i.label}</dt>
            <dd data-testid={`my-${i.id}`}>{i.value}</dd>
          </div>
        ))}
      </dl>
      <h2 className="section-title">My recent requests</h2>
      <RequestLog base="/api/me/usage/requests" filters={filters} onChange={update} choices={{}} />
    </main>
  );
}
