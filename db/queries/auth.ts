import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { apiKeys, teams } from "../schema";

const teamColumns = {
  id: teams.id,
  name: teams.name,
  rpmLimit: teams.rpmLimit,
  tpmLimit: teams.tpmLimit,
  dailyBudgetMicros: teams.dailyBudgetMicros,
  monthlyBudgetMicros: teams.monthlyBudgetMicros,
  alertThresholdPct: teams.alertThresholdPct,
  allowedModels: teams.allowedModels,
};

function prepareCallerByKeyHash(db: Db) {
  return db
    .select({ keyId: apiKeys.id, keyRpmLimit: apiKeys.rpmLimit, team: teamColumns })
    .from(apiKeys)
    .innerJoin(teams, eq(apiKeys.teamId, teams.id))
    .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
    .prepare();
}

// Runs on every API request: prepared once per database, so no SQL is built or compiled per call.
const prepared = new WeakMap<Db, ReturnType<typeof prepareCallerByKeyHash>>();

/** The live (not revoked) key with this hash, joined with its team. */
export function getCallerByKeyHash({ hash }: { hash: string }) {
  const db = getDb();
  let query = prepared.get(db);
  if (!query) prepared.set(db, (query = prepareCallerByKeyHash(db)));
  return query.get({ hash });
}

/** A team's limits, for the browser door which authenticates a person rather than a key. */
export function getTeamLimits({ teamId }: { teamId: string }) {
  return getDb().select(teamColumns).from(teams).where(eq(teams.id, teamId)).get();
}
