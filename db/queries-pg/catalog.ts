/** The gateway's catalog read from Postgres: the twin of db/queries/catalog.ts. */
import { getPgDb } from "../client-pg";
import { models, providers, routes } from "../schema-pg";

/**
 * Every provider, model and route, for the gateway's in-memory catalog. One read-only snapshot, so
 * a model never arrives without the provider it names when another instance writes in between
 * (SQLite's three reads cannot interleave with a write in this process).
 */
export async function listProvidersAndModels() {
  return getPgDb().transaction(
    async (tx) => ({ providers: await tx.select().from(providers), models: await tx.select().from(models), routes: await tx.select().from(routes) }),
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

import type * as sqlite from "../queries/catalog";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./catalog")>;
