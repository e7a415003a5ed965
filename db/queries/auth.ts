import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../client";
import { apiKeys, teams } from "../schema";

/** The live (not revoked) key with this hash, joined with its team. */
export function getCallerByKeyHash({ hash }: { hash: string }) {
  return getDb()
    .select({
      keyId: apiKeys.id,
      keyRpmLimit: apiKeys.rpmLimit,
      team: {
        id: teams.id,
        name: teams.name,
        rpmLimit: teams.rpmLimit,
        tpmLimit: teams.tpmLimit,
        dailyBudgetMicros: teams.dailyBudgetMicros,
        monthlyBudgetMicros: teams.monthlyBudgetMicros,
        alertThresholdPct: teams.alertThresholdPct,
        allowedModels: teams.allowedModels,
      },
    })
    .from(apiKeys)
    .innerJoin(teams, eq(apiKeys.teamId, teams.id))
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .get();
}

/** A team's limits, for the browser door which authenticates a person rather than a key. */
export function getTeamLimits({ teamId }: { teamId: string }) {
  return getDb()
    .select({
      id: teams.id,
      name: teams.name,
      rpmLimit: teams.rpmLimit,
      tpmLimit: teams.tpmLimit,
      dailyBudgetMicros: teams.dailyBudgetMicros,
      monthlyBudgetMicros: teams.monthlyBudgetMicros,
      alertThresholdPct: teams.alertThresholdPct,
      allowedModels: teams.allowedModels,
    })
    .from(teams)
    .where(eq(teams.id, teamId))
    .get();
}
