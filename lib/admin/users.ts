/** Admin service for people: accounts with a role, and the teams each belongs to. */
import { z } from "zod";
import { deleteUser as deleteUserRow, getUserByEmail, getUserById, listExistingTeamIds, listTeamsOfUser, listUsers as listUserRows, setTeamsOfUser, updateUser } from "@/db/queries/users";
import type { UserRow } from "@/db/schema";
import { badRequest, conflict, notFound } from "../gateway/errors";
import { createUserWithPassword, setUserPassword, type Auth } from "../server/auth";
import type { AdminContext } from "./context";
import { parseInput } from "./schemas";

const role = z.enum(["admin", "member"]);
const fields = {
  email: z.email().max(254),
  name: z.string().trim().min(1).max(128),
  password: z.string().min(8, "must be at least 8 characters").max(256),
  role,
  teamIds: z.array(z.string().min(1).max(64)).max(100),
};
const createSchema = z.strictObject({ ...fields, role: role.optional(), teamIds: fields.teamIds.optional() });
const patchSchema = z.strictObject({ name: fields.name, password: fields.password, role, teamIds: fields.teamIds }).partial();

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: string;
  teams: Array<{ id: string; name: string }>;
  currentTeamId: string | null;
  createdAt: string;
}

async function toView(row: UserRow): Promise<UserView> {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    teams: await listTeamsOfUser({ userId: row.id }),
    currentTeamId: row.currentTeamId,
    createdAt: row.createdAt.toISOString(),
  };
}

async function checkTeams(teamIds: string[]): Promise<void> {
  const known = new Set(await listExistingTeamIds({ ids: teamIds }));
  const missing = teamIds.find((id) => !known.has(id));
  if (missing) throw badRequest(`Unknown team '${missing}'.`, "teamIds", "unknown_team");
}

export async function listUsers(): Promise<{ data: UserView[] }> {
  return { data: await Promise.all((await listUserRows()).map(toView)) };
}

export async function getUser(id: string): Promise<UserView> {
  const row = await getUserById({ id });
  if (!row) throw notFound(`No user with id '${id}'.`);
  return toView(row);
}

export async function createUser(ctx: AdminContext, auth: Auth, input: unknown): Promise<UserView> {
  const body = parseInput(createSchema, input);
  if (await getUserByEmail({ email: body.email })) throw conflict(`A user with email '${body.email}' already exists.`, "email");
  if (body.teamIds) await checkTeams(body.teamIds);
  const user = await createUserWithPassword(auth, { email: body.email, name: body.name, password: body.password, role: body.role ?? "member" });
  await setTeamsOfUser({ userId: user.id, teamIds: body.teamIds ?? [], now: ctx.now() });
  return getUser(user.id);
}

export async function patchUser(ctx: AdminContext, auth: Auth, id: string, input: unknown): Promise<UserView> {
  const existing = await getUserById({ id });
  if (!existing) throw notFound(`No user with id '${id}'.`);
  const body = parseInput(patchSchema, input);
  if (body.teamIds) await checkTeams(body.teamIds);
  if (body.name !== undefined || body.role !== undefined) await updateUser({ id, patch: { ...(body.name ? { name: body.name } : {}), ...(body.role ? { role: body.role } : {}) } });
  if (body.password) await setUserPassword(auth, id, body.password);
  if (body.teamIds) await setTeamsOfUser({ userId: id, teamIds: body.teamIds, now: ctx.now() });
  return getUser(id);
}

export async function deleteUser(id: string): Promise<{ id: string; deleted: true }> {
  if (!(await deleteUserRow({ id }))) throw notFound(`No user with id '${id}'.`);
  return { id, deleted: true };
}
