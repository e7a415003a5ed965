/**
 * Which endpoints a model serves (its `endpoints`), and the one check every endpoint goes through:
 * a model asked for something it does not serve is the client's mistake, answered with a 400 that
 * names it; a fallback that does not serve it is passed over.
 */
import { badRequest } from "../errors";
import type { UpstreamTarget } from "../upstream";
import type { Catalog } from "../types";
import type { Capability } from "./types";

/** Every capability, in the order lists of them are shown and stored. */
export const CAPABILITIES = ["chat", "embeddings"] as const satisfies readonly Capability[];

/** What a model serves when its entry does not say. */
export const DEFAULT_ENDPOINTS: readonly Capability[] = ["chat"];

/** Known values only, in CAPABILITIES order. */
export function canonicalEndpoints(values: readonly string[]): Capability[] {
  return CAPABILITIES.filter((c) => values.includes(c));
}

/** A model's own endpoints, or a route's control model's. */
export function endpointsOf(name: string, catalog: Catalog): Capability[] {
  const route = catalog.routes.get(name);
  const model = catalog.models.get(route ? route.controlModel : name);
  return model?.endpoints ?? [];
}

/**
 * Refuses a requested model (or route) that does not serve `capability`, and keeps only the targets
 * that do: a route's candidate or a fallback serving something else is skipped, never called.
 */
export function targetsServing(requested: string, capability: Capability, catalog: Catalog, targets: UpstreamTarget[]): UpstreamTarget[] {
  const serves = endpointsOf(requested, catalog);
  if (!serves.includes(capability)) {
    throw badRequest(
      `The model \`${requested}\` does not serve ${capability}; it serves ${serves.join(", ") || "nothing"}. Ask for a model whose endpoints include ${capability}.`,
      "model",
      "unsupported_model",
    );
  }
  return targets.filter((t) => t.model.endpoints.includes(capability));
}
