/** Turns the `model` a client asked for into the model to call. Route aliases join here with splits. */
import { modelNotFound } from "./errors";
import type { Catalog, ModelConfig } from "./types";

export interface Resolution {
  model: ModelConfig;
  routeId: string | null;
  variant: string | null;
}

export function availableNames(catalog: Catalog): string[] {
  return [...catalog.models.keys()].sort();
}

export function resolveModel(requested: string, catalog: Catalog): Resolution {
  const model = catalog.models.get(requested);
  if (!model) throw modelNotFound(requested, availableNames(catalog));
  return { model, routeId: null, variant: null };
}
