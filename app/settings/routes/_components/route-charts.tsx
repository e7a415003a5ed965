"use client";
import { useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { errorMessage } from "@/lib/client/api";
import { formatAxisMs, formatTimeTick, niceTicks, timeTicks } from "@/lib/client/chart-scale";
import { formatCount, formatDateTime, formatFraction, formatMs } from "@/lib/client/format";
import { useRouteMetrics, type ModelSeries, type RouteView, type SeriesPoint } from "@/lib/client/routes";
import "./route-charts.css";

const COLORS = { control: "#2563eb", candidate: "#ea580c" } as const;

const WINDOWS = [
  { minutes: 5, label: "5 min" },
  { minutes: 30, label: "30 min" },
  { minutes: 180, label: "3 h" },
  { minutes: 1440, label: "24 h" },
];

type Metric = "requests" | "errorRate" | "p95LatencyMs" | "p95TtftMs";

interface MetricSpec {
  key: Metric;
  title: string;
  format: (v: number | null) => string;
  axis: (v: number) => string;
  ticks: (max: number) => number[];
}

const METRICS: MetricSpec[] = [
  { key: "requests", title: "Requests", format: formatCount, axis: (v) => formatCount(v), ticks: (max) => niceTicks(max, { integer: true }) },
  // At least 0–5 %, so a run of zeros is not drawn against a meaningless axis.
  { key: "errorRate", title: "Error rate", format: (v) => formatFraction(v), axis: (v) => formatFraction(v), ticks: (max) => niceTicks(Math.min(1, max), { min: 0.05 }) },
  { key: "p95LatencyMs", title: "p95 latency", format: formatMs, axis: formatAxisMs, ticks: (max) => niceTicks(max, { min: 10 }) },
  { key: "p95TtftMs", title: "p95 time to first token", format: formatMs, axis: formatAxisMs, ticks: (max) => niceTicks(max, { min: 10 }) },
];

type Row = { ts: number } & Record<string, number | null>;

export const seriesLabel = (s: Pick<ModelSeries, "variant" | "model" | "current">) => `${s.variant} · ${s.model}${s.current ? "" : " (earlier)"}`;

/** One row per bucket with a value per series; null leaves a gap where the series did not serve. */
function rows(series: ModelSeries[], buckets: SeriesPoint[], key: Metric): Row[] {
  return buckets.map((b, i) => {
    const row: Row = { ts: Date.parse(b.t) };
    for (const s of series) row[s.key] = s.points[i]?.[key] ?? null;
    return row;
  });
}

/** The series to draw: by model when the server sends them, else the two variants as they are now. */
function seriesOf(data: { control: SeriesPoint[]; candidate: SeriesPoint[]; series?: ModelSeries[] }, route: RouteView): ModelSeries[] {
  if (data.series?.length) return data.series;
  const out: ModelSeries[] = [{ key: "control", variant: "control", model: route.control, current: true, points: data.control }];
  if (route.candidate) out.push({ key: "candidate", variant: "candidate", model: route.candidate, current: true, points: data.candidate });
  return out;
}

function MetricChart(props: { spec: MetricSpec; series: ModelSeries[]; data: Row[]; x: { from: number; to: number; ticks: number[]; stepMs: number } }) {
  const { spec } = props;
  const values = props.data.flatMap((r) => props.series.map((s) => r[s.key])).filter((v): v is number => typeof v === "number");
  const empty = values.length === 0 || (spec.key === "requests" && values.every((v) => v === 0));
  const yTicks = spec.ticks(values.length ? Math.max(...values) : 0);
  return (
    <figure className="chart" data-testid={`chart-${spec.key}`}>
      <figcaption>
        {spec.title}
        {empty ? <span className="muted"> · no data in this window</span> : null}
      </figcaption>
      <ResponsiveContainer width="100%" height={170}>
        <LineChart data={props.data} margin={{ top: 6, right: 16, bottom: 0, left: 4 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis
            dataKey="ts"
            type="number"
            scale="time"
            domain={[props.x.from, props.x.to]}
            ticks={props.x.ticks}
            interval={0}
            tickFormatter={(t: number) => formatTimeTick(t, props.x.stepMs)}
            tick={{ fontSize: 11 }}
            stroke="var(--muted)"
          />
          <YAxis width={64} ticks={yTicks} domain={[0, yTicks[yTicks.length - 1]!]} interval={0} tickFormatter={(v: number) => spec.axis(v)} tick={{ fontSize: 11 }} stroke="var(--muted)" />
          <Tooltip
            labelFormatter={(label) => (typeof label === "number" ? formatDateTime(label) : label)}
            formatter={(v, name) => [spec.format(typeof v === "number" ? v : null), name]}
          />
          {props.series.map((s) => (
            <Line
              key={s.key}
              // Straight segments between buckets, and a gap where a bucket has no value: no curve invents traffic.
              type="linear"
              connectNulls={false}
              dataKey={s.key}
              name={seriesLabel(s)}
              stroke={COLORS[s.variant]}
              strokeWidth={2}
              strokeDasharray={s.current ? undefined : "5 4"}
              strokeOpacity={s.current ? 1 : 0.7}
              dot={{ r: 2, fill: COLORS[s.variant], strokeWidth: 0 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function RouteCharts({ route }: { route: RouteView }) {
  const [minutes, setMinutes] = useState(30);
  const metrics = useRouteMetrics(route.id, minutes);
  const data = metrics.data;
  const series = data ? seriesOf(data, route) : [];
  const from = data ? Date.parse(data.from) : 0;
  const to = data ? Date.parse(data.to) : 0;
  const x = { from, to, ...timeTicks(from, to) };

  return (
    <section className="card" aria-labelledby="charts-title">
      <div className="card-head">
        <h2 id="charts-title">Live metrics</h2>
        <div className="chart-legend">
          <ul className="route-chart-series" aria-label="Series">
            {series.map((s) => (
              <li key={s.key} data-testid="chart-series" data-current={s.current}>
                <i className={`route-chart-key route-chart-key-${s.variant}${s.current ? "" : " route-chart-key-earlier"}`} aria-hidden="true" /> {seriesLabel(s)}
              </li>
            ))}
          </ul>
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
            {series.some((s) => !s.current) ? " Dashed lines are models that served this route earlier in the window." : null}
          </p>
          <div className="charts">
            {METRICS.map((m) => (
              <MetricChart key={m.key} spec={m} series={series} data={rows(series, data.control, m.key)} x={x} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
