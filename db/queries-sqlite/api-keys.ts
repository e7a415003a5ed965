import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../client";
import { apiKeys, type ApiKeyRow, type NewApiKeyRow } from "../schema";
import { bumpCallersVersion } from "./auth";

/** Key rows as shown to admins: never the hash. */
export type ApiKeyListing = Omit<ApiKeyRow, "keyHash">;

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

export function listKeysByTeam({ teamId }: { teamId: string }): ApiKeyListing[] {
  return getDb().select(listing).from(apiKeys).where(eq(apiKeys.teamId, teamId)).orderBy(apiKeys.createdAt, apiKeys.id).all();
}

export function getApiKeyById({ id }: { id: string }): ApiKeyListing | undefined {
  return getDb().select(listing).from(apiKeys).where(eq(apiKeys.id, id)).get();
}

export function insertApiKey(row: NewApiKeyRow): ApiKeyListing {
  return getDb().transaction((tx) => {
    const inserted = tx.insert(apiKeys).values(row).returning(listing).get();
    bumpCallersVersion(tx, row.createdAt);
    return inserted;
  });
}

/**
 * Sets revokedAt once; revoking an already revoked key keeps the first instant. Returns the key as
 * it now stands, or undefined when there is no such key.
 */
export function revokeApiKey({ id, now }: { id: string; now: number }): ApiKeyListing | undefined {
  const db = getDb();
  return db.transaction((tx) => {
    const revoked = tx.update(apiKeys).set({ revokedAt: now }).where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).run().changes > 0;
    if (revoked) bumpCallersVersion(tx, now);
    return tx.select(listing).from(apiKeys).where(eq(apiKeys.id, id)).get();
  });
}

export type RotateOutcome =
  | { ok: true; old: ApiKeyListing; created: ApiKeyListing }
  | { ok: false; reason: "not_found" | "revoked" | "expired" | "rotated"; old?: ApiKeyListing };

/**
 * Puts `replacement` in the place of key `id`, in one transaction: the new key is inserted and the
 * old one expires at `oldExpiresAt` (never later than an expiry it already had), or is revoked at
 * once when that is `now`. Only a live key that has not been rotated before can be.
 */
export function rotateApiKey({ id, replacement, oldExpiresAt, now }: { id: string; replacement: NewApiKeyRow; oldExpiresAt: number; now: number }): RotateOutcome {
  return getDb().transaction((tx) => {
    const old = tx.select(listing).from(apiKeys).where(eq(apiKeys.id, id)).get();
    if (!old) return { ok: false, reason: "not_found" };
    if (old.revokedAt !== null) return { ok: false, reason: "revoked", old };
    if (old.expiresAt !== null && old.expiresAt <= now) return { ok: false, reason: "expired", old };
    if (old.replacedById !== null) return { ok: false, reason: "rotated", old };
    const created = tx.insert(apiKeys).values(replacement).returning(listing).get();
    const expiresAt = old.expiresAt === null ? oldExpiresAt : Math.min(old.expiresAt, oldExpiresAt);
    const updated = tx
      .update(apiKeys)
      .set({ replacedById: created.id, expiresAt, revokedAt: expiresAt <= now ? now : null })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), isNull(apiKeys.replacedById)))
      .returning(listing)
      .get();
    // The checks above read the same row in this transaction, so the update cannot miss it.
    if (!updated) throw new Error(`key ${id} changed during its rotation`);
    bumpCallersVersion(tx, now);
    return { ok: true, old: updated, created };
  });
}
