import { eq, inArray, ne } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { models, teams, type ModelRow, type NewModelRow } from "../schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function listModels(): ModelRow[] {
  return getDb().select().from(models).orderBy(models.createdAt, models.id).all();
}

export function getModelById({ id }: { id: string }): ModelRow | undefined {
  return getDb().select().from(models).where(eq(models.id, id)).get();
}

export function getModelByName({ name }: { name: string }): ModelRow | undefined {
  return getDb().select().from(models).where(eq(models.name, name)).get();
}

/** Which of `names` exist as models. */
export function listExistingModelNames({ names }: { names: string[] }): string[] {
  if (names.length === 0) return [];
  return getDb().select({ name: models.name }).from(models).where(inArray(models.name, names)).all().map((r) => r.name);
}

export function insertModel(row: NewModelRow): ModelRow {
  return getDb().insert(models).values(row).returning().get();
}

/** Rewrites other models' fallback lists: `to` null drops the name, otherwise it is renamed. */
function rewriteFallbacks(tx: Tx, exceptId: string, from: string, to: string | null, now: number): void {
  const others = tx.select({ id: models.id, fallbacks: models.fallbacks }).from(models).where(ne(models.id, exceptId)).all();
  for (const m of others) {
    if (!m.fallbacks.includes(from)) continue;
    const next = to === null ? m.fallbacks.filter((n) => n !== from) : m.fallbacks.map((n) => (n === from ? to : n));
    tx.update(models).set({ fallbacks: next, updatedAt: now }).where(eq(models.id, m.id)).run();
  }
}

/**
 * Teams allow models by name: a renamed model keeps its place in their lists, a deleted one leaves
 * them (an empty list still means "no models", never "all").
 */
function rewriteAllowedModels(tx: Tx, from: string, to: string | null, now: number): void {
  for (const t of tx.select({ id: teams.id, allowedModels: teams.allowedModels }).from(teams).all()) {
    if (!t.allowedModels?.includes(from)) continue;
    const next = to === null ? t.allowedModels.filter((n) => n !== from) : t.allowedModels.map((n) => (n === from ? to : n));
    tx.update(teams).set({ allowedModels: next, updatedAt: now }).where(eq(teams.id, t.id)).run();
  }
}

/** Updates a model; a rename is carried into the fallback and team lists that name it, in the same transaction. */
export function updateModel({ id, patch, now }: { id: string; patch: Partial<Omit<NewModelRow, "id">>; now: number }): ModelRow | undefined {
  return getDb().transaction((tx) => {
    const before = tx.select({ name: models.name }).from(models).where(eq(models.id, id)).get();
    if (!before) return undefined;
    const row = tx.update(models).set({ ...patch, updatedAt: now }).where(eq(models.id, id)).returning().get();
    if (row && row.name !== before.name) {
      rewriteFallbacks(tx, id, before.name, row.name, now);
      rewriteAllowedModels(tx, before.name, row.name, now);
    }
    return row;
  });
}

/** Deletes a model and strips its name from other models' fallbacks and teams' allowed lists. True when a row was deleted. */
export function deleteModel({ id, now }: { id: string; now: number }): boolean {
  return getDb().transaction((tx) => {
    const row = tx.delete(models).where(eq(models.id, id)).returning({ name: models.name }).get();
    if (!row) return false;
    rewriteFallbacks(tx, id, row.name, null, now);
    rewriteAllowedModels(tx, row.name, null, now);
    return true;
  });
}
