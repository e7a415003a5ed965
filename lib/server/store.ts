/** The gateway's store over SQLite: reads are direct, usage rows go through the batch writer. */
import { getCallerByKeyHash } from "@/db/queries/auth";
import { insertEvent } from "@/db/queries/events";
import { sumTeamSpendSince } from "@/db/queries/usage";
import type { BreakerTransition } from "../gateway/circuit-breaker";
import type { GatewayEvent, GatewayStore } from "../gateway/types";
import type { UsageWriter } from "../usage/writer";
import type { CatalogCache } from "./catalog";

export function createStore(catalog: CatalogCache, usage: UsageWriter, now: () => number): GatewayStore {
  return {
    callerForKeyHash(hash) {
      const row = getCallerByKeyHash({ hash });
      return row ? { team: row.team, keyId: row.keyId, keyRpmLimit: row.keyRpmLimit, userId: null } : null;
    },
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
