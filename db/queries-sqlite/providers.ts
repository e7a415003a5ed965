import { count, eq } from "drizzle-orm";
import { getDb } from "../client";
import { models, providers, type NewProviderRow, type ProviderRow } from "../schema";

export function listProviders(): ProviderRow[] {
  return getDb().select().from(providers).orderBy(providers.createdAt, providers.id).all();
}

export function getProviderById({ id }: { id: string }): ProviderRow | undefined {
  return getDb().select().from(providers).where(eq(providers.id, id)).get();
}

export function getProviderByName({ name }: { name: string }): ProviderRow | undefined {
  return getDb().select().from(providers).where(eq(providers.name, name)).get();
}

export function countProviders(): number {
  return getDb().select({ n: count() }).from(providers).get()?.n ?? 0;
}

export function insertProvider(row: NewProviderRow): ProviderRow {
  return getDb().insert(providers).values(row).returning().get();
}

export function updateProvider({ id, patch }: { id: string; patch: Partial<Omit<NewProviderRow, "id">> }): ProviderRow | undefined {
  return getDb().update(providers).set(patch).where(eq(providers.id, id)).returning().get();
}

/** True when a row was deleted. */
export function deleteProvider({ id }: { id: string }): boolean {
  return getDb().delete(providers).where(eq(providers.id, id)).run().changes > 0;
}

export function countModelsUsingProvider({ providerId }: { providerId: string }): number {
  return getDb().select({ n: count() }).from(models).where(eq(models.providerId, providerId)).get()?.n ?? 0;
}
