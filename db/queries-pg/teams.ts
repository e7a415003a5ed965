/** Teams on Postgres: the twin of db/queries/teams.ts. */
import { count, eq } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { teams } from "../schema-pg";
import type { NewTeamRow, TeamRow } from "../schema";
import { bumpCallersVersion } from "./auth";

export async function listTeams(): Promise<TeamRow[]> {
  return getPgDb().select().from(teams).orderBy(teams.createdAt, teams.id);
}

export async function getTeamById({ id }: { id: string }): Promise<TeamRow | undefined> {
  const [row] = await getPgDb().select().from(teams).where(eq(teams.id, id));
  return row;
}

export async function getTeamByName({ name }: { name: string }): Promise<TeamRow | undefined> {
  const [row] = await getPgDb().select().from(teams).where(eq(teams.name, name));
  return row;
}

export async function countTeams(): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(teams);
  return row?.n ?? 0;
}

export async function insertTeam(row: NewTeamRow): Promise<TeamRow> {
  const [inserted] = await getPgDb().insert(teams).values(row).returning();
  return inserted!;
}

/** A team's limits are part of what its keys authenticate as: cached callers are marked stale. */
export async function updateTeam({ id, patch, now }: { id: string; patch: Partial<Omit<NewTeamRow, "id">>; now: number }): Promise<TeamRow | undefined> {
  return getPgDb().transaction(async (tx) => {
    const [row] = await tx.update(teams).set(patch).where(eq(teams.id, id)).returning();
    if (row) await bumpCallersVersion(tx, now);
    return row;
  });
}

/** Deletes the team; its API keys go with it (ON DELETE CASCADE). True when a row was deleted. */
export async function deleteTeam({ id, now }: { id: string; now: number }): Promise<boolean> {
  return getPgDb().transaction(async (tx) => {
    const deleted = (await tx.delete(teams).where(eq(teams.id, id)).returning({ id: teams.id })).length > 0;
    if (deleted) await bumpCallersVersion(tx, now);
    return deleted;
  });
}

import type * as sqlite from "../queries/teams";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./teams")>;
