/**
 * The gateway's shared state, as the interfaces the pipeline uses: admission (rate limits and
 * budget holds), circuit breakers and the response cache. One process keeps them in memory (the
 * classes here); several instances keep them in Redis (lib/state/redis), behind the same
 * interfaces. Every method may answer with a promise; in memory they answer at once.
 */
import { BudgetLedger, type BudgetAlert, type BudgetSnapshot, type BudgetTeam, type LoadSpend, type Reservation, type ReserveResult } from "./budget";
import { CircuitBreakers, type Acquisition, type BreakerOptions, type BreakerSnapshot, type BreakerTransition } from "./circuit-breaker";
import { RateLimiter, type Grant, type LimitCheck, type RateLimitHeaders } from "./rate-limit";
import type { CacheEntry, ResponseCache } from "./response-cache";
import type { MaybePromise } from "./types";

/** What one admission took: token charges to correct later, and the budget hold if one was asked for. */
export interface AdmissionGrant {
  readonly reservation: { readonly amountMicros: number } | null;
}

export interface BudgetRequest {
  team: BudgetTeam;
  amountMicros: number;
}

export type AdmitResult =
  | { ok: true; grant: AdmissionGrant; headers: RateLimitHeaders }
  | { ok: false; reason: "rate_limit"; retryAfterMs: number; failed: LimitCheck; tooLarge: boolean; headers: RateLimitHeaders }
  | (Extract<ReserveResult, { ok: false }> & {
      reason: "budget";
      /** The rate limits' levels, when they were taken before the budget refused. */
      headers?: RateLimitHeaders;
    });

/** Rate limits and budget holds, checked and taken together. */
export interface Admission {
  /** Every check, and the budget hold if given. */
  admit(checks: readonly LimitCheck[], budget: BudgetRequest | null, now: number): MaybePromise<AdmitResult>;
  /** Corrects the grant's token charges to what the request really used. */
  adjust(grant: AdmissionGrant, actualTokens: number, now: number): MaybePromise<void>;
  /** Ends the grant's hold with the real cost; the alerts of thresholds it crossed. Once per grant. */
  settle(grant: AdmissionGrant, team: BudgetTeam, actualMicros: number, now: number): MaybePromise<readonly BudgetAlert[]>;
}

/** Budgets as the admin and usage pages read them. */
export interface Budgets {
  snapshot(team: BudgetTeam, now: number): MaybePromise<BudgetSnapshot>;
  /** The team changed or was deleted: its settled spend is read again. */
  invalidate(teamId: string, now: number): MaybePromise<void>;
}

export interface Breakers {
  acquire(key: string, now: number): MaybePromise<Acquisition>;
  isOpen(key: string, now: number): MaybePromise<boolean>;
  record(key: string, ok: boolean, now: number, probe: boolean): MaybePromise<void>;
  state(key: string, now: number): MaybePromise<BreakerSnapshot>;
  forget(key: string): MaybePromise<void>;
}

export interface GatewayState {
  admission: Admission;
  budgets: Budgets;
  breakers: Breakers;
  cache: ResponseCache;
}

interface LocalGrant extends AdmissionGrant {
  readonly limits: Grant;
  readonly reservation: Reservation | null;
}

/**
 * One process's admission: the token buckets, then the budget ledger. A request refused by its
 * budget keeps the request it was charged in the rate limits (it was a request), and its token
 * charges are returned.
 */
export class LocalAdmission implements Admission {
  constructor(
    readonly limiter: RateLimiter,
    readonly ledger: BudgetLedger<LoadSpend>,
  ) {}

  admit(checks: readonly LimitCheck[], budget: BudgetRequest | null, now: number): MaybePromise<AdmitResult> {
    const limits = this.limiter.admit(checks, now);
    if (!limits.ok) return { reason: "rate_limit", ...limits };
    const unheld: LocalGrant = { limits: limits.grant, reservation: null };
    if (!budget) return { ok: true, grant: unheld, headers: limits.headers };
    const reserved = this.ledger.reserve(budget.team, budget.amountMicros, now);
    const finish = (r: Awaited<typeof reserved>): AdmitResult => {
      const held: LocalGrant = { limits: limits.grant, reservation: r.ok ? r.reservation : null };
      if (r.ok) return { ok: true, grant: held, headers: limits.headers };
      this.limiter.adjust(limits.grant, 0, now);
      return { reason: "budget", ...r, headers: limits.headers };
    };
    return reserved instanceof Promise ? reserved.then(finish) : finish(reserved);
  }

  adjust(grant: AdmissionGrant, actualTokens: number, now: number): void {
    this.limiter.adjust((grant as LocalGrant).limits, actualTokens, now);
  }

  settle(grant: AdmissionGrant, _team: BudgetTeam, actualMicros: number, now: number): readonly BudgetAlert[] {
    const { reservation } = grant as LocalGrant;
    return reservation ? this.ledger.settle(reservation, actualMicros, now) : [];
  }
}

export interface InMemoryState extends GatewayState {
  admission: LocalAdmission;
  budgets: BudgetLedger;
  breakers: CircuitBreakers;
}

const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

export function inMemoryState(opts: {
  loadSpend: LoadSpend;
  breaker?: Partial<BreakerOptions>;
  onBreakerTransition?: (t: BreakerTransition) => void;
  cacheMaxBytes?: number;
}): InMemoryState {
  const budgets = new BudgetLedger(opts.loadSpend);
  return {
    admission: new LocalAdmission(new RateLimiter(), budgets),
    budgets,
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
    get(key, _teamId, now) {
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
