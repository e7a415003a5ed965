/**
 * Shared state for several gateway instances, in one Redis: admission (rate limits and budget
 * holds), circuit breakers, per-route leadership, key revocation and the response cache, each with
 * the outage policy applied. See README.md in this folder for the semantics and failure modes.
 */
import { randomUUID } from "node:crypto";
import { Redis, type RedisOptions } from "ioredis";
import { CircuitBreakers, type BreakerOptions, type BreakerTransition } from "@/lib/gateway/circuit-breaker";
import type { CacheEntry } from "@/lib/gateway/response-cache";
import { RedisAdmission, type LoadSpend } from "./admission";
import { Availability, redisOptions, type StateEvent, type UnavailableMode } from "./availability";
import { RedisCircuitBreakers } from "./circuit-breaker";
import { RedisLeases, type LeaseState } from "./lease";
import { ResilientAdmission } from "./resilient-admission";
import { RedisResponseCache } from "./response-cache";
import { RedisRevocations } from "./revocation";

export { StateUnavailableError, type StateEvent, type UnavailableMode } from "./availability";
export { parseRedisEnv, redisEnv, type RedisEnv } from "./env";
export type { SharedAdmission, SharedGrant, SharedReservation, BudgetRequest } from "./admission";

export interface RedisStateOptions {
  url: string;
  onUnavailable: UnavailableMode;
  prefix?: string;
  /** Names this instance as a lease holder; random unless given. */
  instanceId?: string;
  loadSpend: LoadSpend;
  breaker?: Partial<BreakerOptions>;
  onBreakerTransition?: (t: BreakerTransition) => void;
  cacheMaxBytes?: number;
  holdTtlMs?: number;
  leaseTtlMs?: number;
  /** Outages and recoveries, once each per outage. */
  onEvent?: (e: StateEvent) => void;
  now?: () => number;
  /** ioredis options on top of the defaults (e.g. a shorter commandTimeout in tests). */
  redis?: RedisOptions;
}

export interface RedisState {
  admission: ResilientAdmission;
  breakers: Pick<RedisCircuitBreakers, "acquire" | "isOpen" | "record" | "state" | "forget">;
  leases: Pick<RedisLeases, "acquire" | "renew" | "release">;
  revocations: Pick<RedisRevocations, "revoke" | "isRevoked" | "onRevoked">;
  cache: Pick<RedisResponseCache, "get" | "put">;
  availability: Availability;
  redis: Redis;
  close(): Promise<void>;
}

/** Connects (resolving once Redis answered, or at once in `local` mode) and builds every part. */
export async function openRedisState(opts: RedisStateOptions): Promise<RedisState> {
  const prefix = opts.prefix ?? "switchyard:";
  const now = opts.now ?? Date.now;
  const redis = new Redis(opts.url, redisOptions({ lazyConnect: true, ...opts.redis }));
  // The subscriber may queue its SUBSCRIBE until connected, and resubscribes after a reconnect.
  const subscriber = new Redis(opts.url, redisOptions({ lazyConnect: true, enableOfflineQueue: true, ...opts.redis }));

  let admission: ResilientAdmission | null = null;
  const availability = new Availability(redis, {
    mode: opts.onUnavailable,
    now,
    onEvent: opts.onEvent,
    onRecovered: () => admission?.recover(),
  });
  // An unreachable Redis at start is an outage like any other: ioredis keeps trying.
  redis.on("error", () => undefined);
  subscriber.on("error", () => undefined);
  await Promise.all([redis.connect(), subscriber.connect()]).catch((err: unknown) => {
    if (opts.onUnavailable !== "refuse") return;
    redis.disconnect();
    subscriber.disconnect();
    throw err;
  });

  const shared = new RedisAdmission(redis, { prefix, loadSpend: opts.loadSpend, holdTtlMs: opts.holdTtlMs });
  admission = new ResilientAdmission(shared, availability, now);
  const sharedBreakers = new RedisCircuitBreakers(redis, { ...opts.breaker, prefix, onTransition: opts.onBreakerTransition });
  const localBreakers = new CircuitBreakers(opts.breaker, opts.onBreakerTransition);
  const leases = new RedisLeases(redis, opts.instanceId ?? randomUUID(), { prefix, ttlMs: opts.leaseTtlMs });
  const revocations = new RedisRevocations(redis, subscriber, { prefix });
  await revocations.start().catch(() => undefined);
  const cache = new RedisResponseCache(redis, opts.cacheMaxBytes ?? 64 * 1024 * 1024, { prefix });
  const run = availability.run.bind(availability);
  const NOT_HELD: LeaseState = { held: false, holder: null, expiresAt: null, token: null };
  // Only the policy's two answers matter here; a cache or lease never refuses a request by itself.
  const quietly = <T>(p: () => Promise<T>, fallback: T): Promise<T> => p().catch(() => fallback);

  return {
    admission,
    breakers: {
      acquire: (key, t) => run(() => sharedBreakers.acquire(key, t), () => localBreakers.acquire(key, t)),
      isOpen: (key, t) => run(() => sharedBreakers.isOpen(key, t), () => localBreakers.isOpen(key, t)),
      record: (key, ok, t, probe) => run(() => sharedBreakers.record(key, ok, t, probe), () => localBreakers.record(key, ok, t, probe)),
      state: (key, t) => run(() => sharedBreakers.state(key, t), () => localBreakers.state(key, t)),
      forget: async (key) => {
        localBreakers.forget(key);
        await quietly(() => sharedBreakers.forget(key), undefined);
      },
    },
    // Without Redis nobody can prove it is the only leader, so nobody leads until it is back.
    leases: {
      acquire: (name, t) => quietly(() => leases.acquire(name, t), NOT_HELD),
      renew: (name, t) => quietly(() => leases.renew(name, t), NOT_HELD),
      release: (name) => quietly(() => leases.release(name), false),
    },
    revocations: {
      revoke: (keyId) => revocations.revoke(keyId),
      // In `local` mode the revocations already heard still count; the store's own check remains.
      isRevoked: (keyId, t) => run(() => revocations.isRevoked(keyId, t), () => revocations.isKnownRevoked(keyId)),
      onRevoked: (l) => revocations.onRevoked(l),
    },
    cache: {
      get: (teamId, key, t) => quietly(() => cache.get(teamId, key, t), null as CacheEntry | null),
      put: (key, teamId, entry, expiresAt, t) => quietly(() => cache.put(key, teamId, entry, expiresAt, t), false),
    },
    availability,
    redis,
    async close() {
      await Promise.all([redis.quit().catch(() => redis.disconnect()), subscriber.quit().catch(() => subscriber.disconnect())]);
    },
  };
}
