/**
 * The gateway's state for this process: in memory when it runs alone, in Redis (REDIS_URL) when
 * several instances share limits, budget holds, breakers, rollout leadership, revocations and the
 * response cache. What the rest of the runtime needs from either kind is here.
 */
import { randomUUID } from "node:crypto";
import type { BreakerOptions, BreakerTransition } from "../gateway/circuit-breaker";
import type { LoadSpend } from "../gateway/budget";
import { inMemoryState, type GatewayState } from "../gateway/state";
import type { GatewayEvent, Logger } from "../gateway/types";
import type { Env } from "../env";
import { databaseResponseCache } from "./response-cache-store";

export interface SharedState {
  state: GatewayState;
  /** Names this instance in leases and logs. */
  instanceId: string;
  /** Whether this instance may evaluate and act on a route now (a lease when shared; always when alone). */
  leads(routeId: string, now: number): Promise<boolean>;
  /** Tells every instance a key was revoked, so their key caches drop it at once. */
  announceRevoked(keyId: string): Promise<void>;
  /** Called when another instance revoked a key. */
  onRevoked(listener: (keyId: string) => void): void;
  close(): Promise<void>;
}

export interface SharedStateOptions {
  loadSpend: LoadSpend;
  breaker: Partial<BreakerOptions>;
  onBreakerTransition: (t: BreakerTransition) => void;
  recordEvent: (e: GatewayEvent) => void;
  log: Logger;
  now: () => number;
}

export async function openSharedState(env: Env, opts: SharedStateOptions): Promise<SharedState> {
  const instanceId = env.SWITCHYARD_INSTANCE_ID ?? randomUUID();
  if (!env.REDIS_URL) {
    const memory = inMemoryState({ loadSpend: opts.loadSpend, breaker: opts.breaker, onBreakerTransition: opts.onBreakerTransition });
    return {
      state: { ...memory, cache: databaseResponseCache(env.SWITCHYARD_CACHE_MAX_BYTES, opts.log) },
      instanceId,
      leads: async () => true,
      announceRevoked: async () => undefined,
      onRevoked: () => undefined,
      close: async () => undefined,
    };
  }
  // Loaded only here: a single instance never loads the Redis client.
  const [{ openRedisState }, { redisGatewayState }] = await Promise.all([import("../state/redis"), import("../state/redis/gateway-state")]);
  const shared = await openRedisState({
    url: env.REDIS_URL,
    onUnavailable: env.SWITCHYARD_REDIS_UNAVAILABLE,
    prefix: env.SWITCHYARD_REDIS_PREFIX,
    instanceId,
    loadSpend: opts.loadSpend,
    breaker: opts.breaker,
    onBreakerTransition: opts.onBreakerTransition,
    cacheMaxBytes: env.SWITCHYARD_CACHE_MAX_BYTES,
    now: opts.now,
    onEvent: (e) => {
      opts.log.warn(e.type === "redis_unavailable" ? "shared state unreachable" : "shared state reachable again", { mode: e.mode, reason: e.reason });
      opts.recordEvent({ type: e.type, subjectType: "instance", subjectId: instanceId, actor: "system", data: { mode: e.mode, reason: e.reason ?? null, at: e.at } });
    },
  });
  return {
    state: redisGatewayState(shared, opts.loadSpend),
    instanceId,
    leads: async (routeId, now) => (await shared.leases.acquire(`rollout:${routeId}`, now)).held,
    announceRevoked: (keyId) => shared.revocations.revoke(keyId),
    onRevoked: (listener) => shared.revocations.onRevoked(listener),
    close: () => shared.close(),
  };
}
