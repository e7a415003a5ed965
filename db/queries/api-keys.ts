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
};

export function listKeysByTeam({ teamId }: { teamId: string }): ApiKeyListing[] {
  return getDb().select(listing).from(apiKeys).where(eq(apiKeys.teamId, teamId)).orderBy(apiKeys.createdAt, apiKeys.id).all();
}

export function getApiKeyById({ id }: { id: string }): ApiKeyListing | undefined {
  return getDb().select(listing).from(apiKeys).where(eq(apiKeys.id, id)).get();
}

export function insertApiKey(row: NewApiKeyRow): ApiKeyListing {
  return getDb().insert(apiKeys).values(row).returning(listing).get();
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
