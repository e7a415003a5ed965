/** People and their team memberships on Postgres: the twin of db/queries/users.ts. */
import { and, asc, count, eq, inArray } from "drizzle-orm";
import { getPgDb } from "../client-pg";
import { teamMembers, teams, users } from "../schema-pg";

export async function countUsers(): Promise<number> {
  const [row] = await getPgDb().select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function listUsers() {
  return getPgDb().select().from(users).orderBy(asc(users.email));
}

export async function getUserById({ id }: { id: string }) {
  const [row] = await getPgDb().select().from(users).where(eq(users.id, id));
  return row;
}

export async function getUserByEmail({ email }: { email: string }) {
  const [row] = await getPgDb().select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

/** Undefined when there is no such user, as SQLite's .get() answers too, whatever its type says. */
export async function updateUser({ id, patch }: { id: string; patch: Partial<{ name: string; role: string; currentTeamId: string | null }> }) {
  const [row] = await getPgDb()
    .update(users)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning();
  return row!;
}

export async function deleteUser({ id }: { id: string }): Promise<boolean> {
  const deleted = await getPgDb().delete(users).where(eq(users.id, id)).returning({ id: users.id });
  return deleted.length > 0;
}

/** The teams a user belongs to, by name. */
export async function listTeamsOfUser({ userId }: { userId: string }) {
  return getPgDb()
    .select({ id: teams.id, name: teams.name })
    .from(teamMembers)
    .innerJoin(teams, eq(teamMembers.teamId, teams.id))
    .where(eq(teamMembers.userId, userId))
    .orderBy(asc(teams.name));
}

export async function isTeamMember({ userId, teamId }: { userId: string; teamId: string }): Promise<boolean> {
  const rows = await getPgDb()
    .select({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(eq(teamMembers.userId, userId), eq(teamMembers.teamId, teamId)));
  return rows.length > 0;
}

/** Replaces a user's memberships in one transaction; the current team stays only if still a member. */
export async function setTeamsOfUser({ userId, teamIds, now }: { userId: string; teamIds: string[]; now: number }): Promise<void> {
  await getPgDb().transaction(async (tx) => {
    // The user's row is locked first: two replacements at once (two instances, two admins) run one
    // after the other, as SQLite's single writer runs them, instead of both inserting the same rows.
    const [user] = await tx.select({ currentTeamId: users.currentTeamId }).from(users).where(eq(users.id, userId)).for("no key update");
    await tx.delete(teamMembers).where(eq(teamMembers.userId, userId));
    if (teamIds.length) await tx.insert(teamMembers).values(teamIds.map((teamId) => ({ teamId, userId, createdAt: now })));
    if (!user?.currentTeamId || !teamIds.includes(user.currentTeamId)) {
      await tx.update(users).set({ currentTeamId: teamIds[0] ?? null }).where(eq(users.id, userId));
    }
  });
}

export async function listExistingTeamIds({ ids }: { ids: string[] }): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await getPgDb().select({ id: teams.id }).from(teams).where(inArray(teams.id, ids));
  return rows.map((r) => r.id);
}

import type * as sqlite from "../queries/users";
import type { AsyncTwin } from "./twin";
export type _Twin = AsyncTwin<typeof sqlite, typeof import("./users")>;
