/**
 * The gateway's shared state, as the interfaces the pipeline uses: rate limits, budget
 * reservations and circuit breakers. One process keeps them in memory (the classes here); several
 * instances would put them where all can reach them, behind the same interfaces.
 */
import { BudgetLedger, type LoadSpend } from "./budget";
import { CircuitBreakers, type BreakerOptions, type BreakerTransition } from "./circuit-breaker";
import { RateLimiter } from "./rate-limit";

export type Limiter = Pick<RateLimiter, "admit" | "adjust">;
export type Budgets = Pick<BudgetLedger, "reserve" | "settle" | "snapshot" | "invalidate" | "markAlerted" | "outstanding">;
export type Breakers = Pick<CircuitBreakers, "acquire" | "isOpen" | "record" | "state" | "forget">;

export interface GatewayState {
  limiter: Limiter;
  budgets: Budgets;
  breakers: Breakers;
}

export function inMemoryState(opts: { loadSpend: LoadSpend; breaker?: Partial<BreakerOptions>; onBreakerTransition?: (t: BreakerTransition) => void }): GatewayState {
  return {
    limiter: new RateLimiter(),
    budgets: new BudgetLedger(opts.loadSpend),
    breakers: new CircuitBreakers(opts.breaker, opts.onBreakerTransition),
  };
}

/** Request ids: `req_` and 32 hex digits. */
export function randomRequestId(): string {
  return `req_${crypto.randomUUID().replaceAll("-", "")}`;
}
