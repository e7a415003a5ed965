/** Admin service for team API keys. Only a hash and a display prefix are stored; the key is shown once. */
import { z } from "zod";
import { getApiKeyById, insertApiKey, listKeysByTeam, revokeApiKey, rotateApiKey, type ApiKeyListing } from "@/db/queries/api-keys";
import { getTeamById } from "@/db/queries/teams";
import { badRequest, conflict, notFound } from "../gateway/errors";
import { generateApiKey } from "../secrets";
import { newId, toIso, toIsoOrNull, type AdminContext } from "./context";
import { displayName, parseInput, perMinuteLimit } from "./schemas";

const DAY_MS = 86_400_000;
/** A key this close to its expiry is listed as expiring. */
export const EXPIRING_WITHIN_MS = 7 * DAY_MS;
/** The longest an old key may keep working after its rotation. */
export const MAX_GRACE_SECONDS = 30 * 86_400;
// Far enough for any policy; refuses years like 275760 that only a typo produces.
const MAX_EXPIRY_AHEAD_MS = 100 * 365 * DAY_MS;

/** An instant with its offset (Z or ±hh:mm): a bare local time would mean the server's zone. */
const expiresAt = z.iso.datetime({ offset: true, message: "expected an ISO date-time with an offset, e.g. 2026-01-31T00:00:00Z" }).nullable();

const createSchema = z.strictObject({
  name: displayName,
  rpmLimit: perMinuteLimit.optional(),
  expiresAt: expiresAt.optional(),
});

const rotateSchema = z.strictObject({
  graceSeconds: z.int().min(0).max(MAX_GRACE_SECONDS),
  expiresAt: expiresAt.optional(),
});

export type KeyStatus = "active" | "expiring" | "expired" | "revoked";

export interface KeyView {
  id: string;
  teamId: string;
  name: string;
  prefix: string;
  rpmLimit: number | null;
  createdAt: string;
  revokedAt: string | null;
  expiresAt: string | null;
  /** The key that replaced this one when it was rotated. */
  replacedBy: string | null;
  status: KeyStatus;
}

/** Revoked wins over expired; a rotated key still in its grace period is expiring, however long it has left. */
export function keyStatus(row: Pick<ApiKeyListing, "revokedAt" | "expiresAt" | "replacedById">, now: number): KeyStatus {
  if (row.revokedAt !== null) return "revoked";
  if (row.expiresAt === null) return "active";
  if (row.expiresAt <= now) return "expired";
  return row.replacedById !== null || row.expiresAt - now <= EXPIRING_WITHIN_MS ? "expiring" : "active";
}

const toView = (row: ApiKeyListing, now: number): KeyView => ({
  id: row.id,
  teamId: row.teamId,
  name: row.name,
  prefix: row.prefix,
  rpmLimit: row.rpmLimit,
  createdAt: toIso(row.createdAt),
  revokedAt: toIsoOrNull(row.revokedAt),
  expiresAt: toIsoOrNull(row.expiresAt),
  replacedBy: row.replacedById,
  status: keyStatus(row, now),
});

async function requireTeam(teamId: string): Promise<void> {
  if (!(await getTeamById({ id: teamId }))) throw notFound(`No team with id '${teamId}'.`);
}

/** An expiry from the request as epoch ms: null for none, refused unless it lies ahead of now. */
function expiryOf(value: string | null | undefined, now: number): number | null {
  if (value == null) return null;
  const ms = Date.parse(value);
  if (ms <= now) throw badRequest(`'expiresAt' must be in the future; it is ${value} and now is ${toIso(now)}.`, "expiresAt");
  if (ms - now > MAX_EXPIRY_AHEAD_MS) throw badRequest("'expiresAt' may be at most 100 years ahead.", "expiresAt");
  return ms;
}

export async function listTeamKeys(ctx: AdminContext, teamId: string): Promise<{ data: KeyView[] }> {
  await requireTeam(teamId);
  const now = ctx.now();
  return { data: (await listKeysByTeam({ teamId })).map((row) => toView(row, now)) };
}

/** The only answer, with rotate's, that carries the key itself. */
export async function createTeamKey(ctx: AdminContext, teamId: string, input: unknown): Promise<KeyView & { key: string }> {
  const body = parseInput(createSchema, input);
  const now = ctx.now();
  const expires = expiryOf(body.expiresAt, now);
  await requireTeam(teamId);
  const { key, prefix, hash } = generateApiKey();
  const row = await insertApiKey({
    id: newId("key"),
    teamId,
    name: body.name,
    prefix,
    keyHash: hash,
    rpmLimit: body.rpmLimit ?? null,
    createdAt: now,
    expiresAt: expires,
  });
  return { ...toView(row, now), key };
}

export interface RotatedKey extends KeyView {
  key: string;
  /** The id of the key this one replaces. */
  replaces: string;
  /** When the old key stops working: now plus the grace period, or sooner if it was already due to expire. */
  oldKeyExpiresAt: string;
}

/**
 * A new key with the old one's name and limits, shown once; the old key keeps working for
 * `graceSeconds` (0 revokes it at once), so programs can move over without an outage.
 */
export async function rotateKey(ctx: AdminContext, id: string, input: unknown): Promise<RotatedKey> {
  const body = parseInput(rotateSchema, input);
  const now = ctx.now();
  const expires = expiryOf(body.expiresAt, now);
  const old = await getApiKeyById({ id });
  if (!old) throw notFound(`No API key with id '${id}'.`);
  const { key, prefix, hash } = generateApiKey();
  const outcome = await rotateApiKey({
    id,
    replacement: { id: newId("key"), teamId: old.teamId, name: old.name, prefix, keyHash: hash, rpmLimit: old.rpmLimit, createdAt: now, expiresAt: expires },
    oldExpiresAt: now + body.graceSeconds * 1000,
    now,
  });
  if (!outcome.ok) {
    switch (outcome.reason) {
      case "not_found":
        throw notFound(`No API key with id '${id}'.`);
      case "revoked":
        throw conflict(`Key '${id}' is revoked; create a new key instead.`);
      case "expired":
        throw conflict(`Key '${id}' has expired; create a new key instead.`);
      case "rotated":
        throw conflict(`Key '${id}' was already rotated (replaced by '${outcome.old?.replacedById}'); rotate that key instead.`);
    }
  }
  return { ...toView(outcome.created, now), key, replaces: id, oldKeyExpiresAt: toIso(outcome.old.expiresAt!) };
}

/**
 * The version bump in the same transaction reaches every process's key cache within a second; with
 * shared state the other instances are also told at once.
 */
export async function revokeKey(ctx: AdminContext, id: string): Promise<KeyView & { revoked: true }> {
  const now = ctx.now();
  const row = await revokeApiKey({ id, now });
  if (!row) throw notFound(`No API key with id '${id}'.`);
  // The revocation is already in the database: a failed announcement only leaves the once-a-second check.
  await ctx.announceRevoked?.(id).catch(() => undefined);
  return { ...toView(row, now), revoked: true };
}

export async function getKey(ctx: AdminContext, id: string): Promise<KeyView> {
  const row = await getApiKeyById({ id });
  if (!row) throw notFound(`No API key with id '${id}'.`);
  return toView(row, ctx.now());
}
