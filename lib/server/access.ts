/**
 * Who may call a route, one function per kind of door: an admin (the admin token or an admin's
 * session), any signed-in person, or a team API key (which admins may use too). Each answers what
 * the route needs to know about the caller, and whether a cookie vouched for them.
 */
import { adminContext, type AdminContext } from "../admin/context";
import { authenticateApiKey, bearerToken } from "../gateway/auth";
import { unauthorized } from "../gateway/errors";
import type { Runtime } from "./runtime";
import { requireAdminViewer, requireViewer, viewerFrom, type Viewer } from "./session";

/** Whose data a team-key door may show: every team's to an admin, one team's to its key. */
export type KeyScope = { kind: "admin" } | { kind: "team"; teamId: string };

export interface Granted<T> {
  grant: T;
  /** A session cookie authenticated the call, so a state change must come from our own pages. */
  byCookie: boolean;
}

/** The admin token (tools) or an admin's session (browser); a member's session gets 403. */
export async function admitAdmin(req: Request, runtime: Runtime): Promise<Granted<{ ctx: AdminContext }>> {
  const token = bearerToken(req);
  if (token) {
    if (!runtime.verifyAdminToken(token)) throw unauthorized();
    return { grant: { ctx: { ...adminContext(runtime), actor: "admin-token" } }, byCookie: false };
  }
  const viewer = await viewerFrom(runtime, req.headers);
  if (!viewer) throw unauthorized("Sign in as an admin, or send the admin token as 'Authorization: Bearer …'.");
  requireAdminViewer(viewer);
  // The audit trail names people by email: readable, and it outlives a deleted account's id.
  return { grant: { ctx: { ...adminContext(runtime), actor: viewer.email } }, byCookie: true };
}

export async function admitPerson(req: Request, runtime: Runtime): Promise<Granted<{ viewer: Viewer }>> {
  return { grant: { viewer: await requireViewer(runtime, req) }, byCookie: true };
}

/** A team API key sees its own team; the admin token or an admin's session sees every team. */
export async function admitTeamKey(req: Request, runtime: Runtime): Promise<Granted<{ scope: KeyScope }>> {
  const token = bearerToken(req);
  if (token) {
    if (runtime.verifyAdminToken(token)) return { grant: { scope: { kind: "admin" } }, byCookie: false };
    // Awaited: the key cache answers a miss from the database, which may not be synchronous.
    const caller = await authenticateApiKey(req, runtime.gateway.deps.store);
    return { grant: { scope: { kind: "team", teamId: caller.team.id } }, byCookie: false };
  }
  const viewer = await viewerFrom(runtime, req.headers);
  if (!viewer) throw unauthorized("Send the admin token or a team API key as 'Authorization: Bearer …', or sign in as an admin.");
  requireAdminViewer(viewer);
  return { grant: { scope: { kind: "admin" } }, byCookie: true };
}
