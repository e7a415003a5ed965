"use client";
import Link from "next/link";
import { formatCount, formatFraction } from "@/lib/client/format";
import type { UsageReport, UsageStats } from "@/lib/client/usage/reports";
import { OUTCOME_HINTS, OUTCOME_LABELS, OUTCOMES, type Outcome } from "@/lib/usage/outcomes";

const COUNT: Record<Outcome, keyof UsageStats> = {
  ok: "ok",
  error: "errors",
  budget_exceeded: "budgetExceeded",
  rate_limited: "rateLimited",
  rejected: "rejected",
  aborted: "aborted",
};

/** Every outcome with its count and share of the requests, each a link to those requests in the log. */
export function OutcomeBreakdown({ totals, cache, logHref }: { totals: UsageStats | undefined; cache: UsageReport["cache"] | undefined; logHref: (status: string) => string }) {
  const share = (n: number) => formatFraction(totals && totals.requests ? n / totals.requests : null);
  return (
    <section className="card outcomes" aria-label="Outcomes" data-testid="usage-outcomes">
      <h2 className="usage-chart-title">Outcomes</h2>
      {totals && totals.requests > 0 ? (
        <div className="outcome-bar" aria-hidden="true">
          {OUTCOMES.map((o) => {
            const n = Number(totals[COUNT[o]]);
            return n > 0 ? <span key={o} className={`outcome-${o}`} style={{ flexGrow: n }} /> : null;
          })}
        </div>
      ) : null}
      <table className="table table-compact">
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {OUTCOMES.map((o) => {
            const n = totals ? Number(totals[COUNT[o]]) : null;
            return (
              <tr key={o} data-testid={`outcome-${o}`}>
                <td>
                  <span className={`swatch outcome-${o}`} aria-hidden="true" />{" "}
                  <Link href={logHref(o)} title={OUTCOME_HINTS[o]}>
                    {OUTCOME_LABELS[o]}
                  </Link>
                </td>
                <td className="num">{formatCount(n)}</td>
                <td className="num">{n === null ? "—" : share(n)}</td>
              </tr>
            );
          })}
          <tr data-testid="outcome-cache-hit">
            <td title="Answered from the response cache; counted among OK">Cache hits (of OK)</td>
            <td className="num">{formatCount(cache?.hits)}</td>
            <td className="num">{cache ? share(cache.hits) : "—"}</td>
          </tr>
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">All requests</th>
            <td className="num">{formatCount(totals?.requests)}</td>
            <td className="num">{totals ? "100 %" : "—"}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
