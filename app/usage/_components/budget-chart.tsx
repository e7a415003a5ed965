"use client";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { truncateLabel } from "@/lib/client/chart-scale";
import { formatUsd, formatUsdTick } from "@/lib/client/settings/money";
import { useBudgets, type BudgetRow } from "@/lib/client/usage/reports";
import { ChartCard, Legend, Toggle } from "./chart-card";

type Period = "day" | "month";

const SPENT = "#1a7f4b";
const LEFT = "#dfe3ea";
const OVER = "#c62828";
const UNCAPPED = "#667085";

interface BarRow {
  name: string;
  spent: number;
  left: number;
  over: number;
  uncapped: number;
  cap: number | null;
  total: number;
}

export function budgetBars(rows: BudgetRow[], period: Period): BarRow[] {
  return rows.map((r) => {
    const p = period === "day" ? r.daily : r.monthly;
    const cap = p.capUsd;
    return {
      name: r.teamName,
      spent: cap === null ? 0 : Math.min(p.spentUsd, cap),
      left: cap === null ? 0 : Math.max(cap - p.spentUsd, 0),
      over: cap === null ? 0 : Math.max(p.spentUsd - cap, 0),
      uncapped: cap === null ? p.spentUsd : 0,
      cap,
      total: p.spentUsd,
    };
  });
}

const TEAM_AXIS_WIDTH = 150;
// 18 characters of 12 px text stay within the axis even when they are wide ones (about 7 px each).
const TEAM_LABEL_CHARS = 18;

/** A team name cut to fit the axis, with the full name as a tooltip (an SVG title) when cut. */
function TeamTick(props: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  const name = String(props.payload?.value ?? "");
  const label = truncateLabel(name, TEAM_LABEL_CHARS);
  return (
    <text x={Number(props.x ?? 0)} y={Number(props.y ?? 0)} dy={4} textAnchor="end" fontSize={12} style={{ fill: "var(--muted)" }} data-testid="budget-team-label">
      {label !== name ? <title>{name}</title> : null}
      {label}
    </text>
  );
}

/** Each team's spend in the current day or month against its cap: the bar's full length is the cap. */
export function BudgetChart({ teamId }: { teamId: string }) {
  const [period, setPeriod] = useState<Period>("day");
  const budgets = useBudgets(teamId);
  const rows = budgetBars(budgets.data ?? [], period);
  const height = Math.max(120, rows.length * 34 + 40);

  return (
    <ChartCard
      title={period === "day" ? "Budget used today (UTC)" : "Budget used this month"}
      testId="chart-budgets"
      toolbar={<Toggle label="Budget period" value={period} options={[{ value: "day", label: "today" }, { value: "month", label: "this month" }]} onChange={setPeriod} />}
      loading={!budgets.data && !budgets.error}
      error={budgets.error}
      empty={rows.length === 0 ? "No teams yet. Create one under Settings → Teams." : null}
      legend={
        <Legend
          items={[
            { key: "spent", label: "spent", color: SPENT },
            { key: "left", label: "left of the cap", color: LEFT },
            { key: "over", label: "over the cap", color: OVER },
            { key: "uncapped", label: "spent, no cap", color: UNCAPPED },
          ]}
        />
      }
    >
      <p className="muted small chart-note">Budgets count the current period, whatever the date range above.</p>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 12, bottom: 0, left: 0 }} barCategoryGap={8}>
          <CartesianGrid stroke="var(--grid)" horizontal={false} />
          <XAxis type="number" tickFormatter={formatUsdTick} tick={{ fontSize: 11 }} stroke="var(--muted)" />
          <YAxis type="category" dataKey="name" width={TEAM_AXIS_WIDTH} tick={<TeamTick />} stroke="var(--muted)" interval={0} />
          <Tooltip
            cursor={{ fill: "rgb(16 24 40 / 0.04)" }}
            content={({ active, payload }) => {
              const row = active ? (payload?.[0]?.payload as BarRow | undefined) : undefined;
              if (!row) return null;
              return (
                <div className="chart-tooltip">
                  <strong>{row.name}</strong>
                  <br />
                  {formatUsd(row.total)} {row.cap === null ? "spent, no cap" : `of ${formatUsd(row.cap)} (${row.cap > 0 ? Math.round((row.total / row.cap) * 100) : 100} %)`}
                </div>
              );
            }}
          />
          <Bar dataKey="spent" stackId="b" fill={SPENT} isAnimationActive={false} />
          <Bar dataKey="over" stackId="b" fill={OVER} isAnimationActive={false} />
          <Bar dataKey="left" stackId="b" fill={LEFT} isAnimationActive={false} />
          <Bar dataKey="uncapped" stackId="b" fill={UNCAPPED} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
