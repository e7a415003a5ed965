"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUsd, formatUsdTick } from "@/lib/client/settings/money";
import type { UsageFilters } from "@/lib/client/usage/filters";
import { useDailyBy, useUsageReport, type UsageReport } from "@/lib/client/usage/reports";
import { OTHER_KEY, seriesFor, shortDay, stackedSpend, topKeys } from "@/lib/client/usage/series";
import { ChartCard, Legend, Toggle } from "./chart-card";

type Dimension = "team" | "model";

/** Spend per day, stacked by the biggest teams or models; the rest is one "other" layer. */
export function SpendChart(props: { filters: UsageFilters; days: string[]; daily: UsageReport | undefined; labelOf: (dim: Dimension, key: string | null, label?: string | null) => string }) {
  const [dim, setDim] = useState<Dimension>("team");
  const groups = useUsageReport(props.filters, dim);
  const keys = topKeys(groups.data);
  const perKey = useDailyBy(props.filters, dim, keys);

  const loading = !props.daily || !groups.data || perKey.some((q) => !q.data);
  const error = groups.error ?? perKey.find((q) => q.error)?.error;
  const rows = loading ? [] : stackedSpend(props.days, props.daily, keys.map((key, i) => ({ key, report: perKey[i]!.data })));
  const hasOther = rows.some((r) => (r[OTHER_KEY] as number) > 0);
  const labels = new Map((groups.data?.data ?? []).map((r) => [r.key, r.label]));
  const series = seriesFor(keys, (k) => props.labelOf(dim, k, labels.get(k)), hasOther);
  const total = props.daily?.totals.costUsd ?? 0;

  return (
    <ChartCard
      title={`Spend per day, by ${dim}`}
      testId="chart-spend"
      toolbar={<Toggle label="Stack spend by" value={dim} options={[{ value: "team", label: "by team" }, { value: "model", label: "by model" }]} onChange={setDim} />}
      loading={loading}
      error={error}
      empty={total === 0 ? "No spend in this range." : null}
      legend={<Legend items={series} />}
    >
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--grid)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fontSize: 11 }} stroke="var(--muted)" minTickGap={16} />
          <YAxis width={64} tickFormatter={formatUsdTick} tick={{ fontSize: 11 }} stroke="var(--muted)" />
          <Tooltip labelFormatter={(d) => shortDay(String(d))} formatter={(v, name) => [formatUsd(Number(v)), name]} cursor={{ fill: "rgb(16 24 40 / 0.04)" }} />
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="spend" fill={s.color} isAnimationActive={false} maxBarSize={48} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
