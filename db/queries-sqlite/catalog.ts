import { getDb } from "../client";
import { models, providers, routes } from "../schema";

/** Every provider, model and route, for the gateway's in-memory catalog. */
export function listProvidersAndModels() {
  const db = getDb();
  return { providers: db.select().from(providers).all(), models: db.select().from(models).all(), routes: db.select().from(routes).all() };
}
