import { count, eq } from "drizzle-orm";
import { getDb } from "../client";
import { teams, type NewTeamRow, type TeamRow } from "../schema";
import { bumpCallersVersion } from "./auth";

export function listTeams(): TeamRow[] {
  return getDb().select().from(teams).orderBy(teams.createdAt, teams.id).all();
}

export function getTeamById({ id }: { id: string }): TeamRow | undefined {
  return getDb().select().from(teams).where(eq(teams.id, id)).get();
}

export function getTeamByName({ name }: { name: string }): TeamRow | undefined {
  return getDb().select().from(teams).where(eq(teams.name, name)).get();
}

export function countTeams(): number {
  return getDb().select({ n: count() }).from(teams).get()?.n ?? 0;
}

export function insertTeam(row: NewTeamRow): TeamRow {
  return getDb().insert(teams).values(row).returning().get();
}

/** A team's limits are part of what its keys authenticate as: cached callers are marked stale. */
export function updateTeam({ id, patch, now }: { id: string; patch: Partial<Omit<NewTeamRow, "id">>; now: number }): TeamRow | undefined {
  return getDb().transaction((tx) => {
    const row = tx.update(teams).set(patch).where(eq(teams.id, id)).returning().get();
    if (row) bumpCallersVersion(tx, now);
    return row;
  });
}

/** Deletes the team; its API keys go with it (ON DELETE CASCADE). True when a row was deleted. */
export function deleteTeam({ id, now }: { id: string; now: number }): boolean {
  return getDb().transaction((tx) => {
    const deleted = tx.delete(teams).where(eq(teams.id, id)).run().changes > 0;
    if (deleted) bumpCallersVersion(tx, now);
    return deleted;
  });
}
