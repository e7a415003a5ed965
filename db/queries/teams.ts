import { count, eq } from "drizzle-orm";
import { getDb } from "../client";
import { teams, type NewTeamRow, type TeamRow } from "../schema";

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

export function updateTeam({ id, patch }: { id: string; patch: Partial<Omit<NewTeamRow, "id">> }): TeamRow | undefined {
  return getDb().update(teams).set(patch).where(eq(teams.id, id)).returning().get();
}

/** Deletes the team; its API keys go with it (ON DELETE CASCADE). True when a row was deleted. */
export function deleteTeam({ id }: { id: string }): boolean {
  return getDb().delete(teams).where(eq(teams.id, id)).run().changes > 0;
}
