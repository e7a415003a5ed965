/** The gateway's store over SQLite: reads are direct, usage rows go through the batch writer. */
import { callersChangedHere, getCallerByKeyHash, getExpiryOfRefusedKey, readCallersVersion } from "@/db/queries/auth";
import { insertEvent } from "@/db/queries/events";
import { sumTeamSpendSince } from "@/db/queries/usage";
import type { BreakerTransition } from "../gateway/circuit-breaker";
import type { Caller, ExpiredKey, GatewayEvent, GatewayStore } from "../gateway/types";
import type { UsageWriter } from "../usage/writer";
import type { CatalogCache } from "./catalog";

// How long another process's revoke may take to reach this one.
const VERSION_CHECK_MS = 1_000;
// Beyond this many distinct keys the cache starts over rather than grow without bound.
const MAX_CACHED_CALLERS = 10_000;

/**
 * Callers by key hash, so a request costs no join once its key is known. Any change to keys or
 * teams bumps a version: changes made here empty the cache at once, changes by other processes
 * sharing the database within VERSION_CHECK_MS. Unknown keys are not cached: a revoked or mistyped
 * key always reaches the database. An expiry is a change nobody writes, so each entry carries its
 * key's and a hit past it goes back to the database, which refuses it.
 */
function callerCache(now: () => number) {
  const callers = new Map<string, { caller: Caller; expiresAt: number | null }>();
  let seenHere = callersChangedHere();
  let seenVersion = readCallersVersion();
  let checkedAt = now();
  const fresh = () => {
    if (callersChangedHere() !== seenHere) {
      seenHere = callersChangedHere();
      seenVersion = readCallersVersion();
      checkedAt = now();
      callers.clear();
    } else if (now() - checkedAt >= VERSION_CHECK_MS) {
      checkedAt = now();
      const version = readCallersVersion();
      if (version !== seenVersion) {
        seenVersion = version;
        callers.clear();
      }
    }
  };
  return (hash: string): Caller | ExpiredKey | null => {
    fresh();
    const at = now();
    const cached = callers.get(hash);
    if (cached && (cached.expiresAt === null || at < cached.expiresAt)) return cached.caller;
    if (cached) callers.delete(hash);
    const row = getCallerByKeyHash({ hash, now: at });
    if (!row) {
      return getExpiryOfRefusedKey({ hash, now: at }) ?? null;
    }
    const caller: Caller = { team: row.team, keyId: row.keyId, keyRpmLimit: row.keyRpmLimit, userId: null };
    if (callers.size >= MAX_CACHED_CALLERS) callers.clear();
    callers.set(hash, { caller, expiresAt: row.keyExpiresAt });
    return caller;
  };
}

export function createStore(catalog: CatalogCache, usage: UsageWriter, now: () => number): GatewayStore {
  return {
    callerForKeyHash: callerCache(now),
    catalog: () => catalog.get(),
    // Rows still queued count too, or a budget could be re-spent in the flush window.
    teamSpendSince: (teamId, since) => sumTeamSpendSince({ teamId, since }) + usage.queuedSpend(teamId, since),
    recordUsage: (row) => usage.push(row),
    recordEvent(event) {
      insertEvent({ ...event, createdAt: now() });
    },
  };
}

/** A breaker's change of state as the audit event admins read (`breaker.open`, `breaker.half_open`, `breaker.closed`). */
export function breakerEvent(t: BreakerTransition): GatewayEvent {
  return {
    type: `breaker.${t.to}`,
    subjectType: "model",
    subjectId: t.key,
    actor: "system",
    data: { from: t.from, to: t.to, failureRate: t.failureRate, requests: t.requests },
  };
}
