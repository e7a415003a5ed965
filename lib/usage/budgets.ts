/**
 * GET /api/usage/budgets: each team's daily and monthly cap against its spend, from the same
 * ledger the gateway enforces (settled spend plus what requests in flight have reserved).
 */
import { listTeams } from "@/db/queries/teams";
import type { PeriodSnapshot } from "../gateway/budget";
import { microsToUsd } from "../gateway/cost";
import type { Gateway } from "../gateway/gateway";
import type { UsageScope } from "./access";

export interface BudgetPeriodUsage {
  /** "2026-11-21" or "2026-11". */
  period: string;
  capUsd: number | null;
  spentUsd: number;
  reservedUsd: number;
  /** spent / cap, 0–1 (above 1 only if a cap was lowered below what was already spent); null without a cap. */
  share: number | null;
}

export interface TeamBudgetUsage {
  teamId: string;
  teamName: string;
  daily: BudgetPeriodUsage;
  monthly: BudgetPeriodUsage;
}

export const periodUsage = (p: PeriodSnapshot): BudgetPeriodUsage => ({
  period: p.key,
  capUsd: p.capMicros === null ? null : microsToUsd(p.capMicros),
  spentUsd: microsToUsd(p.spentMicros),
  reservedUsd: microsToUsd(p.reservedMicros),
  share: p.capMicros === null ? null : p.capMicros === 0 ? (p.spentMicros > 0 ? 1 : 0) : p.spentMicros / p.capMicros,
});

export async function budgetUsage(scope: UsageScope, ctx: { now: number; budgets: Gateway["budgets"] }): Promise<{ asOf: string; data: TeamBudgetUsage[] }> {
  const teams = (await listTeams()).filter((t) => scope.kind === "admin" || t.id === scope.teamId);
  return {
    asOf: new Date(ctx.now).toISOString(),
    data: await Promise.all(
      teams.map(async (t) => {
        const snap = await ctx.budgets.snapshot(t, ctx.now);
        return { teamId: t.id, teamName: t.name, daily: periodUsage(snap.day), monthly: periodUsage(snap.month) };
      }),
    ),
  };
}
