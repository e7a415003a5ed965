import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { apiKeys, settings, teams } from "../schema";

// What a key authenticates as (the key and its team's limits) changes only through the writes
// below, which bump this counter in the same transaction: a process caching callers compares it
// with what it saw, so a revoke in any process reaches every process that shares the database.
const CALLERS_VERSION = "callers_version";
// On globalThis: the custom server and Next.js's bundles each load their own copy of this module.
const CHANGED_HERE = Symbol.for("switchyard.callersChangedHere");
const counter = globalThis as { [CHANGED_HERE]?: number };

type Tx = Pick<Db, "insert">;

/** Marks every cached caller stale, here at once and in other processes at their next check. */
export function bumpCallersVersion(tx: Tx, now: number): void {
  tx.insert(settings)
    .values({ key: CALLERS_VERSION, value: "1", updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`cast(${settings.value} as integer) + 1`, updatedAt: now } })
    .run();
  counter[CHANGED_HERE] = (counter[CHANGED_HERE] ?? 0) + 1;
}

/** The counter as stored, for noticing other processes' changes. */
export function readCallersVersion(): string {
  return getDb().select({ value: settings.value }).from(settings).where(eq(settings.key, CALLERS_VERSION)).get()?.value ?? "0";
}

/** Changes made by this process, seen without a query. */
export const callersChangedHere = (): number => counter[CHANGED_HERE] ?? 0;

const teamColumns = {
  id: teams.id,
  name: teams.name,
  rpmLimit: teams.rpmLimit,
  tpmLimit: teams.tpmLimit,
  dailyBudgetMicros: teams.dailyBudgetMicros,
  monthlyBudgetMicros: teams.monthlyBudgetMicros,
  alertThresholdPct: teams.alertThresholdPct,
  allowedModels: teams.allowedModels,
  responseCache: teams.responseCache,
};

function prepareCallerByKeyHash(db: Db) {
  return db
    .select({ keyId: apiKeys.id, keyRpmLimit: apiKeys.rpmLimit, keyExpiresAt: apiKeys.expiresAt, team: teamColumns })
    .from(apiKeys)
    .innerJoin(teams, eq(apiKeys.teamId, teams.id))
    .where(
      and(
        eq(apiKeys.keyHash, sql.placeholder("hash")),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql.placeholder("now"))),
      ),
    )
    .prepare();
}

// Runs on every API request: prepared once per database, so no SQL is built or compiled per call.
const prepared = new WeakMap<Db, ReturnType<typeof prepareCallerByKeyHash>>();

/** The live key with this hash (neither revoked nor expired at `now`), joined with its team. */
export function getCallerByKeyHash({ hash, now }: { hash: string; now: number }) {
  const db = getDb();
  let query = prepared.get(db);
  if (!query) prepared.set(db, (query = prepareCallerByKeyHash(db)));
  return query.get({ hash, now });
}

/**
 * When a key that is refused expired, so the refusal can say so; undefined for a key that does not
 * exist, is revoked or has not expired. Only asked after getCallerByKeyHash found nothing.
 */
export function getExpiryOfRefusedKey({ hash, now }: { hash: string; now: number }): { expiredAt: number; rotated: boolean } | undefined {
  const row = getDb()
    .select({ expiresAt: apiKeys.expiresAt, replacedById: apiKeys.replacedById })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)))
    .get();
  return row?.expiresAt != null && row.expiresAt <= now ? { expiredAt: row.expiresAt, rotated: row.replacedById !== null } : undefined;
}

/** A team's limits, for the browser door which authenticates a person rather than a key. */
export function getTeamLimits({ teamId }: { teamId: string }) {
  return getDb().select(teamColumns).from(teams).where(eq(teams.id, teamId)).get();
}
