import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "../client";
import { teamMembers, teams, users } from "../schema";

export function countUsers(): number {
  return getDb().select({ n: sql<number>`count(*)` }).from(users).get()?.n ?? 0;
}

export function listUsers() {
  return getDb().select().from(users).orderBy(asc(users.email)).all();
}

export function getUserById({ id }: { id: string }) {
  return getDb().select().from(users).where(eq(users.id, id)).get();
}

export function getUserByEmail({ email }: { email: string }) {
  return getDb().select().from(users).where(eq(users.email, email.toLowerCase())).get();
}

export function updateUser({ id, patch }: { id: string; patch: Partial<{ name: string; role: string; currentTeamId: string | null }> }) {
  return getDb()
    .update(users)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(users.id, id))
    .returning()
    .get();
}

export function deleteUser({ id }: { id: string }): boolean {
  return Boolean(getDb().delete(users).where(eq(users.id, id)).returning({ id: users.id }).get());
}

/** The teams a user belongs to, by name. */
export function listTeamsOfUser({ userId }: { userId: string }) {
  return getDb()
    .select({ id: teams.id, name: teams.name })
    .from(teamMembers)
    .innerJoin(teams, eq(teamMembers.teamId, teams.id))
    .where(eq(teamMembers.userId, userId))
    .orderBy(asc(teams.name))
    .all();
}

export function isTeamMember({ userId, teamId }: { userId: string; teamId: string }): boolean {
  return Boolean(
    getDb()
      .select({ teamId: teamMembers.teamId })
      .from(teamMembers)
      .where(and(eq(teamMembers.userId, userId), eq(teamMembers.teamId, teamId)))
      .get(),
  );
}

/** Replaces a user's memberships in one transaction; the current team stays only if still a member. */
export function setTeamsOfUser({ userId, teamIds, now }: { userId: string; teamIds: string[]; now: number }) {
  const db = getDb();
  db.transaction((tx) => {
    tx.delete(teamMembers).where(eq(teamMembers.userId, userId)).run();
    if (teamIds.length) tx.insert(teamMembers).values(teamIds.map((teamId) => ({ teamId, userId, createdAt: now }))).run();
    const user = tx.select({ currentTeamId: users.currentTeamId }).from(users).where(eq(users.id, userId)).get();
    if (!user?.currentTeamId || !teamIds.includes(user.currentTeamId)) {
      tx.update(users).set({ currentTeamId: teamIds[0] ?? null }).where(eq(users.id, userId)).run();
    }
  });
}

export function listExistingTeamIds({ ids }: { ids: string[] }): string[] {
  if (ids.length === 0) return [];
  return getDb().select({ id: teams.id }).from(teams).where(inArray(teams.id, ids)).all().map((r) => r.id);
}
