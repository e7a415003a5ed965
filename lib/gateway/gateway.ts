/** The gateway's long-lived state (limiters, breakers, budgets) around its dependencies. */
import { BudgetLedger } from "./budget";
import { CircuitBreakers, type BreakerOptions } from "./circuit-breaker";
import { handleChatCompletion, type DoorContext } from "./pipeline";
import { RateLimiter } from "./rate-limit";
import { listModels } from "./models-endpoint";
import type { GatewayDeps, GatewayOptions, UsageRecord } from "./types";

export interface GatewayCore {
  deps: GatewayDeps;
  options: GatewayOptions;
  limiter: RateLimiter;
  breakers: CircuitBreakers;
  budgets: BudgetLedger;
  /** Called once per finished request, after its usage row is queued (rollout windows, metrics). */
  observe(row: UsageRecord): void;
}

export interface Gateway extends GatewayCore {
  chatCompletions(req: Request, door?: DoorContext): Promise<Response>;
  models(req: Request): Promise<Response>;
}

export function createGateway(
  deps: GatewayDeps,
  options: GatewayOptions,
  extra: { breaker?: Partial<BreakerOptions>; observers?: Array<(row: UsageRecord) => void> } = {},
): Gateway {
  const observers = extra.observers ?? [];
  const breakers = new CircuitBreakers(extra.breaker, (t) =>
    deps.store.recordEvent({
      type: `breaker.${t.to}`,
      subjectType: "model",
      subjectId: t.key,
      actor: "system",
      data: { from: t.from, to: t.to, failureRate: t.failureRate, requests: t.requests },
    }),
  );
  const gw: Gateway = {
    deps,
    options,
    limiter: new RateLimiter(),
    breakers,
    budgets: new BudgetLedger((teamId, since) => deps.store.teamSpendSince(teamId, since)),
    observe(row) {
      for (const o of observers) o(row);
    },
    chatCompletions: (req, door) => handleChatCompletion(gw, req, door),
    models: (req) => listModels(gw, req),
  };
  return gw;
}
