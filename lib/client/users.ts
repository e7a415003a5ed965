/** The people admin page: react-query hooks for /api/admin/users, and its forms' validation and bodies. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./api";
import { displayNameError, paramLookup, type FieldErrors } from "./settings/form";
import { teamKeys, useUsers, type TeamView, type UserView } from "./settings/teams";

export { useUsers, type UserView };
export type Role = "admin" | "member";
export interface TeamChoice {
  id: string;
  name: string;
}

export const ROLES: ReadonlyArray<{ value: Role; label: string; hint: string }> = [
  { value: "member", label: "Member", hint: "Chats with their teams' models" },
  { value: "admin", label: "Admin", hint: "Also manages settings, people and usage" },
];

const userPath = (id: string) => `/api/admin/users/${encodeURIComponent(id)}`;

/**
 * Team names for the pickers. Shares the teams list's cache entry so a team created on the Teams
 * page shows up here, without that page's spend polling.
 */
export function useTeamChoices() {
  return useQuery({
    queryKey: teamKeys.list(),
    queryFn: ({ signal }) => api<{ data: TeamView[] }>("/api/admin/teams", { signal }).then((r) => r.data),
    select: (teams): TeamChoice[] => teams.map((t) => ({ id: t.id, name: t.name })).sort((a, b) => a.name.localeCompare(b.name)),
  });
}

function useInvalidateUsers() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: teamKeys.users });
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<UserView>("/api/admin/users", { method: "POST", json: body }),
    onSuccess: invalidate,
  });
}

export function usePatchUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Record<string, unknown> }) => api<UserView>(userPath(id), { method: "PATCH", json: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => api<{ id: string; deleted: true }>(userPath(id), { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

// Same limits as lib/admin/users.ts, so most mistakes show before the request.
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;
const MAX_EMAIL = 254;

export function emailError(email: string): string | undefined {
  const t = email.trim();
  if (!t) return "Enter the person's email address";
  if (t.length > MAX_EMAIL) return `The email must be at most ${MAX_EMAIL} characters`;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t)) return "Enter an email address like name@example.com";
  return undefined;
}

export function passwordError(password: string): string | undefined {
  if (!password) return "Enter a password of at least 8 characters";
  if (password.length < MIN_PASSWORD) return `The password must be at least ${MIN_PASSWORD} characters (${password.length} so far)`;
  if (password.length > MAX_PASSWORD) return `The password must be at most ${MAX_PASSWORD} characters`;
  return undefined;
}

export interface NewUserValues {
  email: string;
  name: string;
  password: string;
  role: Role;
  teamIds: string[];
}

export type NewUserField = keyof NewUserValues;

export const newUserValues = (): NewUserValues => ({ email: "", name: "", password: "", role: "member", teamIds: [] });

export function validateNewUser(v: NewUserValues): { errors: FieldErrors<NewUserField>; body: Record<string, unknown> } {
  const errors: FieldErrors<NewUserField> = {};
  const email = emailError(v.email);
  if (email) errors.email = email;
  const name = displayNameError(v.name, "person");
  if (name) errors.name = name;
  const password = passwordError(v.password);
  if (password) errors.password = password;
  return { errors, body: { email: v.email.trim(), name: v.name.trim(), password: v.password, role: v.role, teamIds: v.teamIds } };
}

export interface EditUserValues {
  name: string;
  role: Role;
  teamIds: string[];
}

export type EditUserField = keyof EditUserValues;

export const editUserValues = (u: UserView): EditUserValues => ({ name: u.name, role: u.role === "admin" ? "admin" : "member", teamIds: u.teams.map((t) => t.id) });

/** Errors, and a PATCH body holding only what changed (team order does not count as a change). */
export function validateEditUser(v: EditUserValues, current: UserView): { errors: FieldErrors<EditUserField>; body: Record<string, unknown> } {
  const errors: FieldErrors<EditUserField> = {};
  const name = displayNameError(v.name, "person");
  if (name) errors.name = name;
  const body: Record<string, unknown> = {};
  if (v.name.trim() !== current.name) body.name = v.name.trim();
  if (v.role !== current.role) body.role = v.role;
  const before = current.teams.map((t) => t.id).sort();
  const after = [...v.teamIds].sort();
  if (before.join("\n") !== after.join("\n")) body.teamIds = after;
  return { errors, body };
}

export const newUserFieldForParam = paramLookup<NewUserField>({ email: "email", name: "name", password: "password", role: "role", teamIds: "teamIds" });
export const editUserFieldForParam = paramLookup<EditUserField>({ name: "name", role: "role", teamIds: "teamIds" });
