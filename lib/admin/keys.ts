/** Admin service for team API keys. Only a hash and a display prefix are stored; the key is shown once. */
import { z } from "zod";
import { getApiKeyById, insertApiKey, listKeysByTeam, revokeApiKey, type ApiKeyListing } from "@/db/queries/api-keys";
import { getTeamById } from "@/db/queries/teams";
import { notFound } from "../gateway/errors";
import { generateApiKey } from "../secrets";
import { newId, toIso, toIsoOrNull, type AdminContext } from "./context";
import { displayName, parseInput, perMinuteLimit } from "./schemas";

const createSchema = z.strictObject({
  name: displayName,
  rpmLimit: perMinuteLimit.optional(),
});

export interface KeyView {
  id: string;
  teamId: string;
  name: string;
  prefix: string;
  rpmLimit: number | null;
  createdAt: string;
  revokedAt: string | null;
}

const toView = (row: ApiKeyListing): KeyView => ({
  id: row.id,
  teamId: row.teamId,
  name: row.name,
  prefix: row.prefix,
  rpmLimit: row.rpmLimit,
  createdAt: toIso(row.createdAt),
  revokedAt: toIsoOrNull(row.revokedAt),
});

function requireTeam(teamId: string): void {
  if (!getTeamById({ id: teamId })) throw notFound(`No team with id '${teamId}'.`);
}

export function listTeamKeys(_ctx: AdminContext, teamId: string): { data: KeyView[] } {
  requireTeam(teamId);
  return { data: listKeysByTeam({ teamId }).map(toView) };
}

/** The only answer that carries the key itself. */
export function createTeamKey(ctx: AdminContext, teamId: string, input: unknown): KeyView & { key: string } {
  const body = parseInput(createSchema, input);
  requireTeam(teamId);
  const { key, prefix, hash } = generateApiKey();
  const row = insertApiKey({
    id: newId("key"),
    teamId,
    name: body.name,
    prefix,
    keyHash: hash,
    rpmLimit: body.rpmLimit ?? null,
    createdAt: ctx.now(),
  });
  return { ...toView(row), key };
}

/** Authentication reads the database on every request, so the key stops working at once. */
export function revokeKey(ctx: AdminContext, id: string): KeyView & { revoked: true } {
  const row = revokeApiKey({ id, now: ctx.now() });
  if (!row) throw notFound(`No API key with id '${id}'.`);
  return { ...toView(row), revoked: true };
}

export function getKey(_ctx: AdminContext, id: string): KeyView {
  const row = getApiKeyById({ id });
  if (!row) throw notFound(`No API key with id '${id}'.`);
  return toView(row);
}
