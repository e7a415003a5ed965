/**
 * Who may read usage: an admin (token or admin session) sees every team; a team API key sees its
 * own team only, whatever it asks for.
 */
import { authenticateApiKey, bearerToken } from "../gateway/auth";
import { forbidden, unauthorized } from "../gateway/errors";
import type { Runtime } from "../server/runtime";
import { requireAdminViewer, viewerFrom } from "../server/session";

export type UsageScope = { kind: "admin" } | { kind: "team"; teamId: string };

export async function usageScope(req: Request, runtime: Runtime): Promise<UsageScope> {
  const token = bearerToken(req);
  if (token) {
    if (runtime.verifyAdminToken(token)) return { kind: "admin" };
    const caller = authenticateApiKey(req, runtime.gateway.deps.store);
    return { kind: "team", teamId: caller.team.id };
  }
  const viewer = await viewerFrom(runtime, req.headers);
  if (!viewer) throw unauthorized("Send the admin token or a team API key as 'Authorization: Bearer …', or sign in as an admin.");
  requireAdminViewer(viewer);
  return { kind: "admin" };
}

/** The team a request is limited to: a team key's own; asking for another team is refused, not silently narrowed. */
export function scopedTeamId(scope: UsageScope, requested: string | undefined): string | undefined {
  if (scope.kind === "admin") return requested;
  if (requested !== undefined && requested !== scope.teamId) throw forbidden("A team API key can only read its own team's usage.");
  return scope.teamId;
}
