/**
 * What an API key authenticates as, on Postgres: the twin of db/queries/auth.ts, sharing its
 * in-process change counter.
 */
import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { getPgDb, type PgDb } from "../client-pg";
import { apiKeys, settings, teams } from "../schema-pg";

// The counter and symbol are those of db/queries/auth.ts (which says why), so a change counts the
// same whichever database made it.
const CALLERS_VERSION = "callers_version";
const CHANGED_HERE = Symbol.for("switchyard.callersChangedHere");
const counter = globalThis as { [CHANGED_HERE]?: number };

type Tx = Parameters<Parameters<PgDb["transaction"]>[0]>[0];

/**
 * Marks every cached caller stale, here at once and in other processes at their next check. Called
 * inside the transaction of the write it announces. The upsert takes the row lock, so concurrent
 * bumps from several instances each add one.
 */
export async function bumpCallersVersion(tx: Pick<Tx, "insert">, now: number): Promise<void> {
  await tx
    .insert(settings)
    .values({ key: CALLERS_VERSION, value: "1", updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`(cast(${settings.value} as bigint) + 1)::text`, updatedAt: now } });
  counter[CHANGED_HERE] = (counter[CHANGED_HERE] ?? 0) + 1;
}

/** The counter as stored, for noticing other processes' changes. */
export async function readCallersVersion(): Promise<string> {
  const [row] = await getPgDb().select({ value: settings.value }).from(settings).where(eq(settings.key, CALLERS_VERSION));
  return row?.value ?? "0";
}

/** Changes made by this process, seen without a query. */
export const callersChangedHere = async (): Promise<number> => counter[CHANGED_HERE] ?? 0;

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

function prepareCallerByKeyHash(db: PgDb) {
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
    .prepare("switchyard_caller_by_key_hash");
}

// Runs on every API request: a named statement, parsed and planned once per pooled connection.
const prepared = new WeakMap<PgDb, ReturnType<typeof prepareCallerByKeyHash>>();

/** The live key with this hash (neither revoked nor expired at `now`), joined with its team. */
export async function getCallerByKeyHash({ hash, now }: { hash: string; now: number }) {
  const db = getPgDb();
  let query = prepared.get(db);
  if (!query) prepared.set(db, (query = prepareCallerByKeyHash(db)));
  const [row] = await query.execute({ hash, now });
  return row;
}

/**
 * When a key that is refused expired, so the refusal can say so; undefined for a key that does not
 * exist, is revoked or has not expired. Only asked after getCallerByKeyHash found nothing.
 */
export async function getExpiryOfRefusedKey({ hash, now }: { hash: string; now: number }): Promise<{ expiredAt: number; rotated: boolean } | undefined> {
  const [row] = await getPgDb()
    .select({ expiresAt: apiKeys.expiresAt, replacedById: apiKeys.replacedById })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  return row?.expiresAt != null && row.expiresAt <= now ? { expiredAt: row.expiresAt, rotated: row.replacedById !== null } : undefined;
}

/** A team's limits, for the browser door which authenticates a person rather than a key. */
export async function getTeamLimits({ teamId }: { teamId: string }) {
  const [row] = await getPgDb().select(teamColumns).from(teams).where(eq(teams.id, teamId));
  return row;
}

// bumpCallersVersion is left out of the check: it takes the caller's open transaction, which is
// each database's own object, so only the same database's modules call it.
import type * as sqlite from "../queries/auth";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<Omit<typeof sqlite, "bumpCallersVersion">, typeof import("./auth")>;
