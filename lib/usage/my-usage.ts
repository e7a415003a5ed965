/**
 * GET /api/me/usage: what a signed-in person has spent through the gateway (their chats, and API
 * calls made with their user id), and how much of their current team's budget is left.
 */
import { getTeamById } from "@/db/queries/teams";
import { sumUserSpendSince } from "@/db/queries/usage-requests";
import type { PeriodSnapshot } from "../gateway/budget";
import { microsToUsd } from "../gateway/cost";
import type { Gateway } from "../gateway/gateway";
import { startOfUtcDay, startOfUtcMonth } from "../gateway/period";
import type { Viewer } from "../server/session";
import { periodUsage, type BudgetPeriodUsage } from "./budgets";

export interface MyUsage {
  asOf: string;
  today: { requests: number; spentUsd: number };
  thisMonth: { requests: number; spentUsd: number };
  /** The team the chat bills to now; null for someone in no team. */
  team: { id: string; name: string; daily: BudgetPeriodUsage & { leftUsd: number | null }; monthly: BudgetPeriodUsage & { leftUsd: number | null } } | null;
}

/** What is left of a cap, in integers, never below zero; reservations of requests in flight count as used. */
const withLeft = (p: PeriodSnapshot) => ({
  ...periodUsage(p),
  leftUsd: p.capMicros === null ? null : microsToUsd(Math.max(0, p.capMicros - p.spentMicros - p.reservedMicros)),
});

export async function myUsage(viewer: Viewer, ctx: { now: number; budgets: Gateway["budgets"] }): Promise<MyUsage> {
  const spent = async (since: number) => {
    const s = await sumUserSpendSince({ userId: viewer.userId, since });
    return { requests: s.requests, spentUsd: microsToUsd(s.costMicros) };
  };
  const team = viewer.currentTeamId ? await getTeamById({ id: viewer.currentTeamId }) : undefined;
  const snap = team ? await ctx.budgets.snapshot(team, ctx.now) : null;
  return {
    asOf: new Date(ctx.now).toISOString(),
    today: await spent(startOfUtcDay(ctx.now)),
    thisMonth: await spent(startOfUtcMonth(ctx.now)),
    team: team && snap ? { id: team.id, name: team.name, daily: withLeft(snap.day), monthly: withLeft(snap.month) } : null,
  };
}
