"use client";
import Link from "next/link";
import { useParams } from "next/navigation";
import { ApiError, errorMessage } from "@/lib/client/api";
import { formatFraction, formatMs } from "@/lib/client/format";
import { useRoute, type RouteView } from "@/lib/client/routes";
import { LastDecision } from "../_components/last-decision";
import { RouteActions } from "../_components/route-actions";
import { RouteCharts } from "../_components/route-charts";
import { RouteEditForm } from "../_components/route-edit-form";
import { RouteLifecycle } from "../_components/route-lifecycle";
import { RouteTimeline } from "../_components/route-timeline";
import { SplitBar, StageProgress } from "../_components/split";
import { StatusBadge } from "../_components/status-badge";

export default function RoutePage() {
  const { id } = useParams<{ id: string }>();
  const route = useRoute(id);

  if (route.error && !route.data) {
    const missing = route.error instanceof ApiError && route.error.status === 404;
    return (
      <main className="page">
        <Breadcrumb />
        <div className="card">
          <h1>{missing ? "Route not found" : "Could not load the route"}</h1>
          <p role="alert">{errorMessage(route.error)}</p>
          <Link href="/settings/routes">Back to all routes</Link>
        </div>
      </main>
    );
  }
  if (!route.data) {
    return (
      <main className="page">
        <Breadcrumb />
        <p className="muted">Loading route…</p>
      </main>
    );
  }
  const r = route.data;
  return (
    <main className="page">
      <title>{`${r.name} · Routes · Switchyard`}</title>
      <Breadcrumb />
      <header className="route-header card">
        <div className="route-title">
          <h1>{r.name}</h1>
          <StatusBadge status={r.status} />
          {route.error ? (
            <span className="stale" role="status" title={errorMessage(route.error)}>
              not refreshing: {errorMessage(route.error)}
            </span>
          ) : null}
        </div>
        <SplitBar route={r} />
        <StageProgress route={r} />
        <VariantStats route={r} />
        <RouteActions route={r} />
      </header>
      <LastDecision route={r} />
      <RouteCharts route={r} />
      <RouteLifecycle route={r} />
      <RouteEditForm route={r} />
      <RouteTimeline events={r.events ?? []} />
    </main>
  );
}

function Breadcrumb() {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link href="/settings/routes">Routes</Link> <span aria-hidden="true">/</span>
    </nav>
  );
}

/** The stage's cumulative numbers per variant: what the evaluator is judging right now. */
function VariantStats({ route }: { route: RouteView }) {
  return (
    // Focusable: on a phone the table scrolls sideways, and the keyboard must be able to scroll it.
    <table className="table table-compact" aria-label="This stage so far" tabIndex={0}>
      <thead>
        <tr>
          <th>This stage</th>
          <th>Model</th>
          <th className="num">Requests</th>
          <th className="num">Errors</th>
          <th className="num">p95 latency</th>
          <th className="num">p95 TTFT</th>
        </tr>
      </thead>
      <tbody>
        {route.variants.map((v) => (
          <tr key={v.name}>
            <td>
              <i className={`swatch swatch-${v.name}`} /> {v.name}
            </td>
            <td>{v.model}</td>
            <td className="num">{v.metrics.requests}</td>
            <td className="num">
              {v.metrics.errors} ({formatFraction(v.metrics.errorRate)})
            </td>
            <td className="num">{formatMs(v.metrics.p95LatencyMs)}</td>
            <td className="num">{formatMs(v.metrics.p95TtftMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
