/**
 * The gateway's shared state, as the interfaces the pipeline uses: rate limits, budget
 * reservations and circuit breakers. One process keeps them in memory (the classes here); several
 * instances would put them where all can reach them, behind the same interfaces.
 */
import { BudgetLedger, type LoadSpend } from "./budget";
import { CircuitBreakers, type BreakerOptions, type BreakerTransition } from "./circuit-breaker";
import { RateLimiter } from "./rate-limit";
import type { CacheEntry, ResponseCache } from "./response-cache";

export type Limiter = Pick<RateLimiter, "admit" | "adjust">;
export type Budgets = Pick<BudgetLedger, "reserve" | "settle" | "snapshot" | "invalidate" | "markAlerted" | "outstanding">;
export type Breakers = Pick<CircuitBreakers, "acquire" | "isOpen" | "record" | "state" | "forget">;

export interface GatewayState {
  limiter: Limiter;
  budgets: Budgets;
  breakers: Breakers;
  cache: ResponseCache;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export function inMemoryState(opts: {
  loadSpend: LoadSpend;
  breaker?: Partial<BreakerOptions>;
  onBreakerTransition?: (t: BreakerTransition) => void;
  cacheMaxBytes?: number;
}): GatewayState {
  return {
    limiter: new RateLimiter(),
    budgets: new BudgetLedger(opts.loadSpend),
    breakers: new CircuitBreakers(opts.breaker, opts.onBreakerTransition),
    cache: memoryResponseCache(opts.cacheMaxBytes ?? DEFAULT_CACHE_BYTES),
  };
}

/** Request ids: `req_` and 32 hex digits. */
export function randomRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Entries in a Map: expired on read, the least recently used dropped past `maxBytes`. */
export function memoryResponseCache(maxBytes: number): ResponseCache {
  const entries = new Map<string, { entry: CacheEntry; expiresAt: number; size: number }>();
  let total = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    total -= e.size;
    entries.delete(key);
  };
  return {
    get(key, now) {
      const e = entries.get(key);
      if (!e) return null;
      if (e.expiresAt <= now) {
        drop(key);
        return null;
      }
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
      entries.delete(key);
      entries.set(key, e);
      return e.entry;
    },
    put(key, _teamId, entry, expiresAt) {
      const size = JSON.stringify(entry.answer).length;
      if (size > maxBytes) return;
      drop(key);
      entries.set(key, { entry, expiresAt, size });
      total += size;
      for (const oldest of entries.keys()) {
        if (total <= maxBytes) break;
        drop(oldest);
      }
    },
  };
}
