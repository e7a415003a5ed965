import { getDb } from "../client";
import { models, providers } from "../schema";

/** Every provider and model, for the gateway's in-memory catalog. */
export function listProvidersAndModels() {
  const db = getDb();
  return { providers: db.select().from(providers).all(), models: db.select().from(models).all() };
}
