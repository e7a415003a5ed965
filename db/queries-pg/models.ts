/** Models on Postgres: the twin of db/queries/models.ts. */
import { asc, eq, inArray, ne } from "drizzle-orm";
import { getPgDb, type PgDb } from "../client-pg";
import { models, teams } from "../schema-pg";
import type { ModelRow, NewModelRow } from "../schema";

type Tx = Parameters<Parameters<PgDb["transaction"]>[0]>[0];

export async function listModels(): Promise<ModelRow[]> {
  return getPgDb().select().from(models).orderBy(models.createdAt, models.id);
}

export async function getModelById({ id }: { id: string }): Promise<ModelRow | undefined> {
  const [row] = await getPgDb().select().from(models).where(eq(models.id, id));
  return row;
}

export async function getModelByName({ name }: { name: string }): Promise<ModelRow | undefined> {
  const [row] = await getPgDb().select().from(models).where(eq(models.name, name));
  return row;
}

/** Which of `names` exist as models. */
export async function listExistingModelNames({ names }: { names: string[] }): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await getPgDb().select({ name: models.name }).from(models).where(inArray(models.name, names));
  return rows.map((r) => r.name);
}

export async function insertModel(row: NewModelRow): Promise<ModelRow> {
  const [inserted] = await getPgDb().insert(models).values(row).returning();
  return inserted!;
}

/**
 * A rename or delete rewrites lists held in other rows. SQLite runs one writer at a time; here the
 * rows are locked first, every model then every team and each in id order, so a concurrent rename,
 * delete or team edit waits rather than losing an update, and two renames cannot deadlock. NO KEY
 * UPDATE, because no key changes: new keys and members may still name these teams meanwhile.
 */
async function lockListHolders(tx: Tx): Promise<void> {
  await tx.select({ id: models.id }).from(models).orderBy(asc(models.id)).for("no key update");
  await tx.select({ id: teams.id }).from(teams).orderBy(asc(teams.id)).for("no key update");
}

/** Rewrites other models' fallback lists: `to` null drops the name, otherwise it is renamed. */
async function rewriteFallbacks(tx: Tx, exceptId: string, from: string, to: string | null, now: number): Promise<void> {
  const others = await tx.select({ id: models.id, fallbacks: models.fallbacks }).from(models).where(ne(models.id, exceptId));
  for (const m of others) {
    if (!m.fallbacks.includes(from)) continue;
    const next = to === null ? m.fallbacks.filter((n) => n !== from) : m.fallbacks.map((n) => (n === from ? to : n));
    await tx.update(models).set({ fallbacks: next, updatedAt: now }).where(eq(models.id, m.id));
  }
}

/**
 * Teams allow models by name: a renamed model keeps its place in their lists, a deleted one leaves
 * them (an empty list still means "no models", never "all").
 */
async function rewriteAllowedModels(tx: Tx, from: string, to: string | null, now: number): Promise<void> {
  for (const t of await tx.select({ id: teams.id, allowedModels: teams.allowedModels }).from(teams)) {
    if (!t.allowedModels?.includes(from)) continue;
    const next = to === null ? t.allowedModels.filter((n) => n !== from) : t.allowedModels.map((n) => (n === from ? to : n));
    await tx.update(teams).set({ allowedModels: next, updatedAt: now }).where(eq(teams.id, t.id));
  }
}

/** Updates a model; a rename is carried into the fallback and team lists that name it, in the same transaction. */
export async function updateModel({ id, patch, now }: { id: string; patch: Partial<Omit<NewModelRow, "id">>; now: number }): Promise<ModelRow | undefined> {
  return getPgDb().transaction(async (tx) => {
    if (patch.name !== undefined) await lockListHolders(tx);
    const [before] = await tx.select({ name: models.name }).from(models).where(eq(models.id, id)).for("no key update");
    if (!before) return undefined;
    const [row] = await tx.update(models).set({ ...patch, updatedAt: now }).where(eq(models.id, id)).returning();
    if (row && row.name !== before.name) {
      await rewriteFallbacks(tx, id, before.name, row.name, now);
      await rewriteAllowedModels(tx, before.name, row.name, now);
    }
    return row;
  });
}

/** Deletes a model and strips its name from other models' fallbacks and teams' allowed lists. True when a row was deleted. */
export async function deleteModel({ id, now }: { id: string; now: number }): Promise<boolean> {
  return getPgDb().transaction(async (tx) => {
    await lockListHolders(tx);
    const [row] = await tx.delete(models).where(eq(models.id, id)).returning({ name: models.name });
    if (!row) return false;
    await rewriteFallbacks(tx, id, row.name, null, now);
    await rewriteAllowedModels(tx, row.name, null, now);
    return true;
  });
}

import type * as sqlite from "../queries/models";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./models")>;
