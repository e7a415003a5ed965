/** Upstream providers on Postgres: the twin of db/queries/providers.ts. */
import { count, eq } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { models, providers } from "../schema-pg";
import type { NewProviderRow, ProviderRow } from "../schema";

export async function listProviders(): Promise<ProviderRow[]> {
  return getPgDb().select().from(providers).orderBy(providers.createdAt, providers.id);
}

export async function getProviderById({ id }: { id: string }): Promise<ProviderRow | undefined> {
  const [row] = await getPgDb().select().from(providers).where(eq(providers.id, id));
  return row;
}

export async function getProviderByName({ name }: { name: string }): Promise<ProviderRow | undefined> {
  const [row] = await getPgDb().select().from(providers).where(eq(providers.name, name));
  return row;
}

export async function countProviders(): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(providers);
  return row?.n ?? 0;
}

export async function insertProvider(row: NewProviderRow): Promise<ProviderRow> {
  const [inserted] = await getPgDb().insert(providers).values(row).returning();
  return inserted!;
}

export async function updateProvider({ id, patch }: { id: string; patch: Partial<Omit<NewProviderRow, "id">> }): Promise<ProviderRow | undefined> {
  const [row] = await getPgDb().update(providers).set(patch).where(eq(providers.id, id)).returning();
  return row;
}

/** True when a row was deleted. A provider that models still use is refused (ON DELETE RESTRICT). */
export async function deleteProvider({ id }: { id: string }): Promise<boolean> {
  const deleted = await getPgDb().delete(providers).where(eq(providers.id, id)).returning({ id: providers.id });
  return deleted.length > 0;
}

export async function countModelsUsingProvider({ providerId }: { providerId: string }): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(models).where(eq(models.providerId, providerId));
  return row?.n ?? 0;
}

import type * as sqlite from "../queries/providers";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./providers")>;
