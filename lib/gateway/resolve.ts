/**
 * Turns the `model` a client asked for into the model to call: a model name directly, or a route
 * alias whose sticky assignment picks the control or the candidate.
 */
import { assignVariant } from "../rollout/sticky-assignment";
import { modelNotFound } from "./errors";
import type { Catalog, ModelConfig, StickyBy } from "./types";

export interface StickySources {
  conversationId: string | null;
  user: string | null;
  keyId: string | null;
}

export interface Resolution {
  model: ModelConfig;
  /** Tried after the model's own fallbacks: a candidate falls back to control. */
  extraFallbacks: string[];
  routeId: string | null;
  variant: "control" | "candidate" | null;
  stickyKey: string | null;
}

/** The model and route names a team may ask for. */
export function availableNames(catalog: Catalog, allowed: string[] | null = null): string[] {
  const all = [...catalog.models.keys(), ...catalog.routes.keys()];
  return (allowed ? all.filter((n) => allowed.includes(n)) : all).sort();
}

export function stickyKeyFor(stickyBy: StickyBy, s: StickySources): string | null {
  switch (stickyBy) {
    case "conversation":
      return s.conversationId ? `conversation:${s.conversationId}` : null;
    case "user":
      return s.user ? `user:${s.user}` : null;
    case "key":
      return s.keyId ? `key:${s.keyId}` : null;
    case "request":
      return null;
    default:
      if (s.conversationId) return `conversation:${s.conversationId}`;
      if (s.user) return `user:${s.user}`;
      return s.keyId ? `key:${s.keyId}` : null;
  }
}

export function resolveModel(
  requested: string,
  catalog: Catalog,
  sticky: StickySources,
  random: () => number,
  allowed: string[] | null = null,
): Resolution {
  // A model the team may not use looks exactly like one that does not exist.
  if (allowed && !allowed.includes(requested)) throw modelNotFound(requested, availableNames(catalog, allowed));
  const direct = catalog.models.get(requested);
  if (direct) return { model: direct, extraFallbacks: [], routeId: null, variant: null, stickyKey: stickyKeyFor("auto", sticky) };

  const route = catalog.routes.get(requested);
  if (!route) throw modelNotFound(requested, availableNames(catalog, allowed));
  const control = catalog.models.get(route.controlModel);
  if (!control) throw modelNotFound(route.controlModel, availableNames(catalog));
  const candidate = route.candidateModel ? catalog.models.get(route.candidateModel) : undefined;
  const key = stickyKeyFor(route.stickyBy, sticky);
  const splitting = candidate && route.candidateWeight > 0 && (route.status === "running" || route.status === "paused");
  // Without a sticky key each request is its own key: a fresh random position.
  const variant = splitting ? assignVariant(route.seed, key ?? `request:${random()}`, route.candidateWeight) : "control";
  return variant === "candidate"
    ? { model: candidate!, extraFallbacks: [control.name, ...control.fallbacks], routeId: route.id, variant, stickyKey: key }
    : { model: control, extraFallbacks: [], routeId: route.id, variant, stickyKey: key };
}
