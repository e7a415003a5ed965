"use client";
import Link from "next/link";
import { errorMessage } from "@/lib/client/api";
import { useRoutes, type RouteView } from "@/lib/client/routes";
import { NewRouteForm } from "./_components/new-route-form";
import { splitText, stageText } from "./_components/split";
import { StatusBadge } from "./_components/status-badge";

export default function RoutesPage() {
  const routes = useRoutes();
  return (
    <main className="page">
      <title>Routes · Switchyard</title>
      <div className="page-head">
        <h1>Routes</h1>
        <p className="muted">Traffic splits between a control model and a candidate, rolled forward or back by their guardrails.</p>
      </div>
      {routes.error ? (
        <p className="form-error" role="alert">
          Could not load routes: {errorMessage(routes.error)}
        </p>
      ) : null}
      {!routes.data ? (
        routes.isPending ? <p className="muted">Loading routes…</p> : null
      ) : routes.data.length === 0 ? (
        <EmptyState />
      ) : (
        <RoutesTable routes={routes.data} />
      )}
      <NewRouteForm />
    </main>
  );
}

function RoutesTable({ routes }: { routes: RouteView[] }) {
  return (
    <div className="card card-flush">
      <table className="table" data-testid="routes-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Control → candidate</th>
            <th className="num">Split</th>
            <th className="num">Stage</th>
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.id} data-testid="route-row">
              <td>
                <Link href={`/settings/routes/${r.id}`} className="strong-link">
                  {r.name}
                </Link>
              </td>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>
                {r.control}
                {r.candidate ? (
                  <>
                    {" "}
                    <span className="muted">→</span> {r.candidate}
                  </>
                ) : null}
              </td>
              <td className="num">{splitText(r)}</td>
              <td className="num">{stageText(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EmptyState() {
  return (
    <div className="card empty" data-testid="routes-empty">
      <h2>No routes yet</h2>
      <p>
        A route is a name clients use as their <code>model</code> that splits traffic between a <strong>control</strong> model
        (what serves today) and a <strong>candidate</strong> (what you want to try). The candidate starts with a small share and
        moves through the stages, for example 5 % → 25 % → 50 % → 100 %, while its error rate, latency and cost stay within the
        guardrails. If it does worse than the control, Switchyard rolls it back on its own and records why.
      </p>
      <p className="muted">Each user sticks to one variant, so a conversation does not flip between models.</p>
    </div>
  );
}
