/** Team API keys on Postgres: the twin of db/queries/api-keys.ts. */
import { and, eq, isNull } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { apiKeys } from "../schema-pg";
import type { ApiKeyListing, RotateOutcome } from "../queries/api-keys";
import type { NewApiKeyRow } from "../schema";
import { bumpCallersVersion } from "./auth";

const listing = {
  id: apiKeys.id,
  teamId: apiKeys.teamId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  rpmLimit: apiKeys.rpmLimit,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
  expiresAt: apiKeys.expiresAt,
  replacedById: apiKeys.replacedById,
};

export async function listKeysByTeam({ teamId }: { teamId: string }): Promise<ApiKeyListing[]> {
  return getPgDb().select(listing).from(apiKeys).where(eq(apiKeys.teamId, teamId)).orderBy(apiKeys.createdAt, apiKeys.id);
}

export async function getApiKeyById({ id }: { id: string }): Promise<ApiKeyListing | undefined> {
  const [row] = await getPgDb().select(listing).from(apiKeys).where(eq(apiKeys.id, id));
  return row;
}

export async function insertApiKey(row: NewApiKeyRow): Promise<ApiKeyListing> {
  return getPgDb().transaction(async (tx) => {
    const [inserted] = await tx.insert(apiKeys).values(row).returning(listing);
    await bumpCallersVersion(tx, row.createdAt);
    return inserted!;
  });
}

/**
 * Sets revokedAt once; revoking an already revoked key keeps the first instant. Returns the key as
 * it now stands, or undefined when there is no such key.
 */
export async function revokeApiKey({ id, now }: { id: string; now: number }): Promise<ApiKeyListing | undefined> {
  return getPgDb().transaction(async (tx) => {
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (revoked.length > 0) await bumpCallersVersion(tx, now);
    const [row] = await tx.select(listing).from(apiKeys).where(eq(apiKeys.id, id));
    return row;
  });
}

/**
 * Puts `replacement` in the place of key `id`, in one transaction: the new key is inserted and the
 * old one expires at `oldExpiresAt` (never later than an expiry it already had), or is revoked at
 * once when that is `now`. Only a live key that has not been rotated before can be.
 */
export async function rotateApiKey({ id, replacement, oldExpiresAt, now }: { id: string; replacement: NewApiKeyRow; oldExpiresAt: number; now: number }): Promise<RotateOutcome> {
  return getPgDb().transaction(async (tx) => {
    // The row lock: a revoke or a second rotation running at the same time in another instance waits
    // for this one, then finds the key rotated, so the checks below still hold at the update.
    const [old] = await tx.select(listing).from(apiKeys).where(eq(apiKeys.id, id)).for("no key update");
    if (!old) return { ok: false, reason: "not_found" };
    if (old.revokedAt !== null) return { ok: false, reason: "revoked", old };
    if (old.expiresAt !== null && old.expiresAt <= now) return { ok: false, reason: "expired", old };
    if (old.replacedById !== null) return { ok: false, reason: "rotated", old };
    const [created] = await tx.insert(apiKeys).values(replacement).returning(listing);
    const expiresAt = old.expiresAt === null ? oldExpiresAt : Math.min(old.expiresAt, oldExpiresAt);
    const [updated] = await tx
      .update(apiKeys)
      .set({ replacedById: created!.id, expiresAt, revokedAt: expiresAt <= now ? now : null })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), isNull(apiKeys.replacedById)))
      .returning(listing);
    if (!updated) throw new Error(`key ${id} changed during its rotation`);
    await bumpCallersVersion(tx, now);
    return { ok: true, old: updated, created: created! };
  });
}

import type * as sqlite from "../queries/api-keys";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./api-keys")>;
