"use client";
import { Bar, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatFraction } from "@/lib/client/format";
import { shortDay, type DailyPoint } from "@/lib/client/usage/series";
import { ChartCard, Legend } from "./chart-card";

const REQUESTS = "#2456d6";
const ERRORS = "#c62828";

/** Requests per day as bars, the error rate as a line on its own axis. */
export function TrafficChart(props: { points: DailyPoint[]; loading: boolean; error: unknown }) {
  const total = props.points.reduce((n, p) => n + p.requests, 0);
  return (
    <ChartCard
      title="Requests and error rate per day"
      testId="chart-traffic"
      loading={props.loading}
      error={props.error}
      empty={total === 0 ? "No requests in this range." : null}
      legend={
        <Legend
          items={[
            { key: "requests", label: "requests", color: REQUESTS },
            { key: "errorRate", label: "error rate", color: ERRORS },
          ]}
        />
      }
    >
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={props.points} margin={{ top: 8, right: 4, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fontSize: 11 }} stroke="var(--muted)" minTickGap={16} />
          <YAxis yAxisId="requests" width={56} allowDecimals={false} tickFormatter={(v: number) => formatCount(v)} tick={{ fontSize: 11 }} stroke="var(--muted)" />
          <YAxis
            yAxisId="rate"
            orientation="right"
            width={56}
            // At least 0–5 %, so a day with no errors is not drawn on a meaningless scale.
            domain={[0, (max: number) => Math.min(1, Math.max(max, 0.05))]}
            tickFormatter={(v: number) => formatFraction(v, 0)}
            tick={{ fontSize: 11 }}
            stroke="var(--muted)"
          />
          <Tooltip
            labelFormatter={(d) => shortDay(String(d))}
            formatter={(v, name) => [name === "error rate" ? formatFraction(typeof v === "number" ? v : null) : formatCount(Number(v)), name]}
            cursor={{ fill: "rgb(16 24 40 / 0.04)" }}
          />
          <Bar yAxisId="requests" dataKey="requests" name="requests" fill={REQUESTS} isAnimationActive={false} maxBarSize={48} />
          <Line
            yAxisId="rate"
            // A day with no requests has no error rate: the line breaks there instead of curving across it.
            type="linear"
            connectNulls={false}
            dataKey="errorRate"
            name="error rate"
            stroke={ERRORS}
            strokeWidth={2}
            dot={{ r: 2.5, fill: ERRORS }}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
