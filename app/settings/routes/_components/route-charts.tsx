"use client";
import { useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { errorMessage } from "@/lib/client/api";
import { formatClock, formatCount, formatDateTime, formatFraction, formatMs } from "@/lib/client/format";
import { useRouteMetrics, type RouteView, type SeriesPoint } from "@/lib/client/routes";

const CONTROL = "#2563eb";
const CANDIDATE = "#ea580c";

const WINDOWS = [
  { minutes: 5, label: "5 min" },
  { minutes: 30, label: "30 min" },
  { minutes: 180, label: "3 h" },
  { minutes: 1440, label: "24 h" },
];

type Metric = "requests" | "errorRate" | "p95LatencyMs" | "p95TtftMs";

type Domain = [number, number | ((dataMax: number) => number)];

const METRICS: Array<{ key: Metric; title: string; format: (v: number | null) => string; domain?: Domain }> = [
  { key: "requests", title: "Requests", format: formatCount },
  // At least 0–5 %, so a run of zeros is not drawn against a meaningless 0–400 % axis.
  { key: "errorRate", title: "Error rate", format: (v) => formatFraction(v), domain: [0, (max) => Math.min(1, Math.max(max, 0.05))] },
  { key: "p95LatencyMs", title: "p95 latency", format: formatMs },
  { key: "p95TtftMs", title: "p95 time to first token", format: formatMs },
];

interface Row {
  t: string;
  control: number | null;
  candidate: number | null;
}

function rows(control: SeriesPoint[], candidate: SeriesPoint[], key: Metric): Row[] {
  return control.map((p, i) => ({ t: p.t, control: p[key], candidate: candidate[i]?.[key] ?? null }));
}

function MetricChart(props: { title: string; data: Row[]; format: (v: number | null) => string; domain?: Domain; testId: string }) {
  const value = (v: unknown) => props.format(typeof v === "number" ? v : null);
  const empty = props.data.every((r) => r.control === null && r.candidate === null);
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>
        {props.title}
        {empty ? <span className="muted"> · no data in this window</span> : null}
      </figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={props.data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="t" tickFormatter={(t: string) => formatClock(t)} minTickGap={40} tick={{ fontSize: 11 }} stroke="var(--muted)" />
          <YAxis width={56} tickFormatter={(v: number) => props.format(v)} tick={{ fontSize: 11 }} stroke="var(--muted)" allowDecimals={props.testId !== "chart-requests"} domain={props.domain ?? [0, "auto"]} />
          <Tooltip
            labelFormatter={(label) => (typeof label === "string" ? formatDateTime(label) : label)}
            formatter={(v, name) => [value(v), name]}
          />
          <Line type="monotone" dataKey="control" name="control" stroke={CONTROL} strokeWidth={2} dot={{ r: 1.5, fill: CONTROL }} isAnimationActive={false} connectNulls />
          <Line type="monotone" dataKey="candidate" name="candidate" stroke={CANDIDATE} strokeWidth={2} dot={{ r: 1.5, fill: CANDIDATE }} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function RouteCharts({ route }: { route: RouteView }) {
  const [minutes, setMinutes] = useState(30);
  const metrics = useRouteMetrics(route.id, minutes);
  const data = metrics.data;
  const candidateModel = route.variants.find((v) => v.name === "candidate")?.model ?? route.candidate;

  return (
    <section className="card" aria-labelledby="charts-title">
      <div className="card-head">
        <h2 id="charts-title">Live metrics</h2>
        <div className="chart-legend">
          <span>
            <i className="swatch swatch-control" /> control ({route.control})
          </span>
          {candidateModel ? (
            <span>
              <i className="swatch swatch-candidate" /> candidate ({candidateModel})
            </span>
          ) : null}
          <label className="inline-select">
            Window{" "}
            <select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} aria-label="Chart window">
              {WINDOWS.map((w) => (
                <option key={w.minutes} value={w.minutes}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {metrics.error ? (
        <p className="form-error" role="alert">
          Could not load metrics: {errorMessage(metrics.error)}
        </p>
      ) : !data ? (
        <p className="muted">Loading metrics…</p>
      ) : (
        <>
          <p className="muted small">
            Per {data.bucketSeconds >= 60 ? `${Math.round(data.bucketSeconds / 60)} min` : `${Math.round(data.bucketSeconds)} s`} bucket, refreshed every 5 s.
          </p>
          <div className="charts">
            {METRICS.map((m) => (
              <MetricChart key={m.key} title={m.title} data={rows(data.control, data.candidate, m.key)} format={m.format} domain={m.domain} testId={`chart-${m.key}`} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
