/** Wire types and react-query hooks for teams, their API keys and their members. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { KeyView, RotatedKey } from "@/lib/admin/keys";
import type { TeamDetailView, TeamView } from "@/lib/admin/teams";
import type { UserView } from "@/lib/admin/users";
import { api } from "../api";
import { routeKeys, type RouteView } from "../routes";

export type { KeyView, RotatedKey, TeamDetailView, TeamView, UserView };
export type CreatedKey = KeyView & { key: string };

/** Spend moves with traffic, so team pages refresh on their own. */
const SPEND_REFRESH_MS = 10_000;

export const teamKeys = {
  all: ["teams"] as const,
  list: () => ["teams", "list"] as const,
  detail: (id: string) => ["teams", "detail", id] as const,
  keys: (id: string) => ["teams", "keys", id] as const,
  users: ["users"] as const,
};

const teamPath = (id: string) => `/api/admin/teams/${encodeURIComponent(id)}`;

export function useTeams() {
  return useQuery({
    queryKey: teamKeys.list(),
    queryFn: ({ signal }) => api<{ data: TeamView[] }>("/api/admin/teams", { signal }).then((r) => r.data),
    refetchInterval: SPEND_REFRESH_MS,
  });
}

export function useTeam(id: string) {
  return useQuery({
    queryKey: teamKeys.detail(id),
    queryFn: ({ signal }) => api<TeamDetailView>(teamPath(id), { signal }),
    refetchInterval: SPEND_REFRESH_MS,
  });
}

function useInvalidateTeams() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: teamKeys.all });
}

export function useCreateTeam() {
  const invalidate = useInvalidateTeams();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<TeamView>("/api/admin/teams", { method: "POST", json: body }),
    onSuccess: invalidate,
  });
}

export function usePatchTeam(id: string) {
  const invalidate = useInvalidateTeams();
  return useMutation({
    mutationFn: (patch: Record<string, unknown>) => api<TeamView>(teamPath(id), { method: "PATCH", json: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteTeam() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ id: string }>(teamPath(id), { method: "DELETE" }),
    onSuccess: (_r, id) => {
      qc.removeQueries({ queryKey: teamKeys.detail(id) });
      void qc.invalidateQueries({ queryKey: teamKeys.list() });
      void qc.invalidateQueries({ queryKey: teamKeys.users });
    },
  });
}

/** A key's status moves with time (expiring, expired), so the list refreshes on its own. */
const KEYS_REFRESH_MS = 15_000;

export function useTeamKeys(teamId: string) {
  return useQuery({
    queryKey: teamKeys.keys(teamId),
    queryFn: ({ signal }) => api<{ data: KeyView[] }>(`${teamPath(teamId)}/keys`, { signal }).then((r) => r.data),
    refetchInterval: KEYS_REFRESH_MS,
  });
}

export function useCreateKey(teamId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<CreatedKey>(`${teamPath(teamId)}/keys`, { method: "POST", json: body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: teamKeys.keys(teamId) }),
  });
}

export function useRevokeKey(teamId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api<KeyView>(`/api/admin/keys/${encodeURIComponent(keyId)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: teamKeys.keys(teamId) }),
  });
}

export function useRotateKey(teamId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ keyId, ...body }: { keyId: string; graceSeconds: number; expiresAt?: string | null }) =>
      api<RotatedKey>(`/api/admin/keys/${encodeURIComponent(keyId)}/rotate`, { method: "POST", json: body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: teamKeys.keys(teamId) }),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: teamKeys.users,
    queryFn: ({ signal }) => api<{ data: UserView[] }>("/api/admin/users", { signal }).then((r) => r.data),
  });
}

/**
 * Membership lives on the user: adding or removing one team rewrites that user's team list, read
 * fresh just before so a change made meanwhile elsewhere is kept.
 */
export function useMembership(teamId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId, member }: { userId: string; member: boolean }) => {
      const userPath = `/api/admin/users/${encodeURIComponent(userId)}`;
      const current = (await api<UserView>(userPath)).teams.map((t) => t.id).filter((id) => id !== teamId);
      return api<UserView>(userPath, { method: "PATCH", json: { teamIds: member ? [...current, teamId] : current } });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: teamKeys.users }),
  });
}

export const isMember = (user: UserView, teamId: string) => user.teams.some((t) => t.id === teamId);

/** Route names, for the allowed-models list (a team may be allowed a route alias as well as models). */
export function useRouteNames() {
  return useQuery({
    queryKey: routeKeys.list(),
    queryFn: ({ signal }) => api<{ data: RouteView[] }>("/api/admin/routes", { signal }).then((r) => r.data),
    select: (routes) => routes.map((r) => r.name),
  });
}
