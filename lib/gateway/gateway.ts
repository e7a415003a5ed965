/** The gateway: its dependencies (state included) and the endpoints it serves. */
import type { GatewayRequest, GatewayResponse } from "./exchange";
import { listModels } from "./models-endpoint";
import { chatCompletions } from "./endpoints/chat";
import { embeddings } from "./endpoints/embeddings";
import { responses } from "./endpoints/responses";
import { handleRequest, type DoorContext } from "./pipeline";
import type { GatewayState } from "./state";
import type { GatewayDeps, GatewayOptions, UsageRecord } from "./types";

export interface GatewayCore {
  deps: GatewayDeps;
  options: GatewayOptions;
  /** Called once per finished request, after its usage row is queued (rollout windows, metrics). */
  observe(row: UsageRecord): void;
}

export interface Gateway<S extends GatewayState = GatewayState> extends GatewayCore {
  chatCompletions(req: GatewayRequest, door?: DoorContext): Promise<GatewayResponse>;
  embeddings(req: GatewayRequest): Promise<GatewayResponse>;
  responses(req: GatewayRequest, door?: DoorContext): Promise<GatewayResponse>;
  models(req: GatewayRequest): Promise<GatewayResponse>;
  /** Shortcuts to the state in `deps`, for admin views (typed as the kind of state it was given). */
  breakers: S["breakers"];
  budgets: S["budgets"];
}

export function createGateway<S extends GatewayState>(deps: GatewayDeps & S, options: GatewayOptions, observers: Array<(row: UsageRecord) => void> = []): Gateway<S> {
  const gw: Gateway<S> = {
    deps,
    options,
    breakers: deps.breakers,
    budgets: deps.budgets,
    observe(row) {
      for (const o of observers) o(row);
    },
    chatCompletions: (req, door) => handleRequest(gw, chatCompletions, req, door),
    embeddings: (req) => handleRequest(gw, embeddings, req),
    responses: (req, door) => handleRequest(gw, responses, req, door),
    models: (req) => listModels(gw, req),
  };
  return gw;
}
