"use client";
import { errorMessage } from "@/lib/client/api";
import { formatCount, formatFraction } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import type { UsageFilters } from "@/lib/client/usage/filters";
import { useTop, type TopBy } from "@/lib/client/usage/reports";

const TITLES: Record<TopBy, string> = { team: "Top teams", model: "Top models", key: "Top API keys" };

/** The biggest spenders in the filtered range: teams, models and keys side by side. */
export function TopTables(props: { filters: UsageFilters; labelOf: (by: TopBy, key: string | null, label?: string | null) => string }) {
  return (
    <section className="top-tables" aria-label="Top spenders">
      {(["team", "model", "key"] as const).map((by) => (
        <TopTable key={by} by={by} {...props} />
      ))}
    </section>
  );
}

function TopTable(props: { by: TopBy; filters: UsageFilters; labelOf: (by: TopBy, key: string | null, label?: string | null) => string }) {
  const top = useTop(props.filters, props.by);
  const rows = top.data?.data ?? [];
  return (
    <div className="card card-flush top-table" data-testid={`top-${props.by}`}>
      <h2 className="top-table-title">{TITLES[props.by]} by spend</h2>
      {top.error ? (
        <p className="chart-state chart-state-error" role="alert">
          Could not load: {errorMessage(top.error)}
        </p>
      ) : !top.data ? (
        <p className="chart-state muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="chart-state muted">Nothing in this range.</p>
      ) : (
        // Focusable and named: on a phone the table scrolls sideways when a name is long, and the
        // keyboard must be able to scroll it too.
        <table className="table table-compact" aria-label={`${TITLES[props.by]} by spend`} tabIndex={0}>
          <thead>
            <tr>
              <th>{props.by === "key" ? "Key" : props.by === "team" ? "Team" : "Model"}</th>
              <th className="num">Requests</th>
              <th className="num">Spend</th>
              <th className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.key ?? `none-${i}`}>
                <td className="top-name" title={r.key ?? undefined}>
                  {props.labelOf(props.by, r.key, r.label)}
                </td>
                <td className="num">{formatCount(r.requests)}</td>
                <td className="num">{formatUsd(r.costUsd)}</td>
                <td className="num muted">{top.data!.totalCostUsd > 0 ? formatFraction(r.share, 0) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
