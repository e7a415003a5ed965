/**
 * The gateway's state (lib/gateway/state.ts) over Redis: what the pipeline and the admin pages use,
 * built from the shared parts in this folder with the outage policy already applied.
 */
import type { BudgetSnapshot, BudgetTeam, LoadSpend } from "@/lib/gateway/budget";
import { dayKey, monthKey, startOfUtcDay, startOfUtcMonth } from "@/lib/gateway/period";
import type { GatewayState } from "@/lib/gateway/state";
import { StateUnavailableError } from "./availability";
import type { RedisState } from "./index";

/**
 * Budgets as the pages read them. While Redis is unreachable a page still shows the settled spend
 * from the store (holds in flight are then unknown and shown as none).
 */
function sharedBudgets(shared: RedisState, loadSpend: LoadSpend): GatewayState["budgets"] {
  const fromStore = async (team: BudgetTeam, now: number): Promise<BudgetSnapshot> => {
    const [day, month] = await Promise.all([loadSpend(team.id, startOfUtcDay(now)), loadSpend(team.id, startOfUtcMonth(now))]);
    return {
      day: { key: dayKey(now), capMicros: team.dailyBudgetMicros, spentMicros: day, reservedMicros: 0, alerted: false },
      month: { key: monthKey(now), capMicros: team.monthlyBudgetMicros, spentMicros: month, reservedMicros: 0, alerted: false },
    };
  };
  return {
    snapshot: (team, now) =>
      shared.admission.snapshot(team, now).catch((err: unknown) => {
        if (err instanceof StateUnavailableError) return fromStore(team, now);
        throw err;
      }),
    invalidate: (teamId, now) => shared.admission.invalidate(teamId, now),
  };
}

export function redisGatewayState(shared: RedisState, loadSpend: LoadSpend): GatewayState {
  return {
    admission: shared.admission,
    budgets: sharedBudgets(shared, loadSpend),
    breakers: shared.breakers,
    cache: {
      get: (key, teamId, now) => shared.cache.get(teamId, key, now),
      put: async (key, teamId, entry, expiresAt, now) => {
        await shared.cache.put(key, teamId, entry, expiresAt, now);
      },
    },
  };
}
