"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatAxisMs } from "@/lib/client/chart-scale";
import { formatMs } from "@/lib/client/format";
import type { UsageFilters } from "@/lib/client/usage/filters";
import { useUsageReport } from "@/lib/client/usage/reports";
import { shortDay, type DailyPoint } from "@/lib/client/usage/series";
import { ChartCard, Legend, Toggle } from "./chart-card";

type View = "day" | "model";

const SERIES = [
  { key: "p50LatencyMs", label: "p50 latency", color: "#2456d6", dashed: false },
  { key: "p95LatencyMs", label: "p95 latency", color: "#2456d6", dashed: true },
  { key: "p50TtftMs", label: "p50 time to first token", color: "#ea580c", dashed: false },
  { key: "p95TtftMs", label: "p95 time to first token", color: "#ea580c", dashed: true },
] as const;

const msValue = (v: unknown) => formatMs(typeof v === "number" ? v : null);

/** Latency and time to first token, p50 and p95: per day as lines, or per model as grouped bars. */
export function LatencyChart(props: { filters: UsageFilters; points: DailyPoint[]; loading: boolean; error: unknown }) {
  const [view, setView] = useState<View>("day");
  const perModel = useUsageReport(props.filters, "model", { enabled: view === "model" });
  const models = (perModel.data?.data ?? []).filter((r) => r.key !== null && r.requests > 0);
  const anyDaily = props.points.some((p) => p.p50LatencyMs !== null);

  const loading = view === "day" ? props.loading : !perModel.data;
  const error = view === "day" ? props.error : perModel.error;
  const empty = view === "day" ? (anyDaily ? null : "No completed requests in this range.") : models.length ? null : "No completed requests in this range.";

  return (
    <ChartCard
      title={view === "day" ? "Latency and time to first token per day" : "Latency and time to first token per model"}
      testId="chart-latency"
      toolbar={<Toggle label="Latency by" value={view} options={[{ value: "day", label: "per day" }, { value: "model", label: "per model" }]} onChange={setView} />}
      loading={loading}
      error={error}
      empty={empty}
      legend={<Legend items={SERIES.map((s) => ({ ...s, dashed: view === "day" && s.dashed, color: view === "model" && s.dashed ? shade(s.color) : s.color }))} />}
    >
      <ResponsiveContainer width="100%" height={240}>
        {view === "day" ? (
          <LineChart data={props.points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fontSize: 11 }} stroke="var(--muted)" minTickGap={16} />
            <YAxis width={56} tickFormatter={formatAxisMs} tick={{ fontSize: 11 }} stroke="var(--muted)" />
            <Tooltip labelFormatter={(d) => shortDay(String(d))} formatter={(v, name) => [msValue(v), name]} />
            {SERIES.map((s) => (
              <Line
                key={s.key}
                // Straight segments, and a gap on a day with no completed requests: no curve where nothing happened.
                type="linear"
                connectNulls={false}
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? "5 4" : undefined}
                dot={{ r: 2.5, fill: s.color }}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        ) : (
          <BarChart data={models} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis dataKey="key" tick={{ fontSize: 11 }} stroke="var(--muted)" interval={0} />
            <YAxis width={56} tickFormatter={formatAxisMs} tick={{ fontSize: 11 }} stroke="var(--muted)" />
            <Tooltip formatter={(v, name) => [msValue(v), name]} cursor={{ fill: "rgb(16 24 40 / 0.04)" }} />
            {SERIES.map((s) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.dashed ? shade(s.color) : s.color} isAnimationActive={false} maxBarSize={28} />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** The p95 bar is a lighter tint of its p50 colour. */
function shade(hex: string): string {
  return `${hex}80`;
}
