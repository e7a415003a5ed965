/** The gateway's store over the database: reads are direct, usage rows go through the batch writer. */
import { callersChangedHere, getCallerByKeyHash, getExpiryOfRefusedKey, readCallersVersion } from "@/db/queries/auth";
import { insertEvent } from "@/db/queries/events";
import { sumTeamSpendSince } from "@/db/queries/usage";
import type { BreakerTransition } from "../gateway/circuit-breaker";
import type { Caller, ExpiredKey, GatewayEvent, GatewayStore, Logger } from "../gateway/types";
import type { UsageWriter } from "../usage/writer";
import type { CatalogCache } from "./catalog";

// How long another process's revoke may take to reach this one.
const VERSION_CHECK_MS = 1_000;
// Beyond this many distinct keys the cache starts over rather than grow without bound.
const MAX_CACHED_CALLERS = 10_000;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Callers by key hash, so a request costs no query once its key is known: a hit answers at once,
 * a miss with a promise. Any change to keys or teams bumps a version: changes made here empty the
 * cache at once, changes by other processes sharing the database within VERSION_CHECK_MS (checked
 * behind the requests, one check at a time). Unknown keys are not cached: a revoked or mistyped
 * key always reaches the database. An expiry is a change nobody writes, so each entry carries its
 * key's and a hit past it goes back to the database, which refuses it.
 */
function callerCache(now: () => number, log: Logger) {
  const callers = new Map<string, { caller: Caller; expiresAt: number | null }>();
  // Bumped at every emptying: a lookup that started before one may have read what was revoked
  // since, so it answers its own request but is not kept.
  let generation = 0;
  let seenHere = callersChangedHere();
  let seenVersion: string | null = null;
  let checkedAt = now();
  let checking = false;

  const empty = () => {
    callers.clear();
    generation++;
  };
  // `rebase`: after a change made here, which has emptied the cache already, only learn the new version.
  const checkVersion = (rebase: boolean) => {
    checking = true;
    checkedAt = now();
    readCallersVersion()
      .then(
        (version) => {
          // The first read empties too: callers kept before it were never compared with anything.
          if (version !== seenVersion && !rebase) empty();
          seenVersion = version;
        },
        (err: unknown) => log.error("callers version check failed", { error: message(err) }),
      )
      .finally(() => {
        checking = false;
      });
  };
  const fresh = () => {
    const here = callersChangedHere();
    if (here !== seenHere) {
      seenHere = here;
      empty();
      if (!checking) checkVersion(true);
    } else if (!checking && now() - checkedAt >= VERSION_CHECK_MS) {
      checkVersion(false);
    }
  };
  checkVersion(false);

  const lookup = async (hash: string, at: number): Promise<Caller | ExpiredKey | null> => {
    const startedIn = generation;
    const row = await getCallerByKeyHash({ hash, now: at });
    if (!row) return (await getExpiryOfRefusedKey({ hash, now: at })) ?? null;
    const caller: Caller = { team: row.team, keyId: row.keyId, keyRpmLimit: row.keyRpmLimit, userId: null };
    fresh();
    if (generation === startedIn) {
      if (callers.size >= MAX_CACHED_CALLERS) empty();
      callers.set(hash, { caller, expiresAt: row.keyExpiresAt });
    }
    return caller;
  };

  const get = (hash: string): Caller | ExpiredKey | null | Promise<Caller | ExpiredKey | null> => {
    fresh();
    const at = now();
    const cached = callers.get(hash);
    if (cached && (cached.expiresAt === null || at < cached.expiresAt)) return cached.caller;
    if (cached) callers.delete(hash);
    return lookup(hash, at);
  };
  return { get, forget: empty };
}

export interface ServerStore extends GatewayStore {
  /** Drops every cached key: another instance revoked one. */
  forgetKeys(): void;
}

export function createStore(catalog: CatalogCache, usage: UsageWriter, now: () => number, log: Logger): ServerStore {
  const callers = callerCache(now, log);
  return {
    callerForKeyHash: callers.get,
    forgetKeys: callers.forget,
    catalog: () => catalog.get(),
    // Rows still queued or being written count too, or a budget could be re-spent in the flush
    // window. Taken before the query: a batch landing in between is then counted twice for a
    // moment (refusing early) rather than not at all (letting spend past the cap).
    teamSpendSince: async (teamId, since) => {
      const queued = usage.queuedSpend(teamId, since);
      return (await sumTeamSpendSince({ teamId, since })) + queued;
    },
    recordUsage: (row) => usage.push(row),
    recordEvent(event) {
      insertEvent({ ...event, createdAt: now() }).catch((err: unknown) => log.error("event write failed", { type: event.type, error: message(err) }));
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
