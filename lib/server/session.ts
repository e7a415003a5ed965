/**
 * Who is calling: a signed-in person (session cookie) for the browser, or the admin token for
 * tools. Route handlers and pages ask here and nowhere else.
 */
import { getUserById, isTeamMember, listTeamsOfUser } from "@/db/queries/users";
import { forbidden, GatewayError, unauthorized } from "../gateway/errors";
import type { Role } from "./auth";
import type { Runtime } from "./runtime";

export interface Viewer {
  userId: string;
  email: string;
  name: string;
  role: Role;
  currentTeamId: string | null;
}

export async function viewerFrom(runtime: Runtime, headers: Headers): Promise<Viewer | null> {
  const session = await (await runtime.auth()).api.getSession({ headers });
  if (!session) return null;
  // Role and team are read fresh, so a demotion or removal applies to live sessions at once.
  const user = await getUserById({ id: session.user.id });
  if (!user) return null;
  return { userId: user.id, email: user.email, name: user.name, role: user.role === "admin" ? "admin" : "member", currentTeamId: user.currentTeamId };
}

export async function requireViewer(runtime: Runtime, req: Request): Promise<Viewer> {
  const viewer = await viewerFrom(runtime, req.headers);
  if (!viewer) throw unauthorized("Sign in to continue.");
  return viewer;
}

// A malformed Referer is no evidence of where the request came from: refused, not a 500.
function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Cookies ride along on cross-site requests, so a state change authenticated by one must come
 * from our own pages: the Origin (or, lacking it, the Referer) has to be this server's.
 */
export function assertSameOrigin(req: Request, publicUrl?: string): void {
  if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return;
  const source = req.headers.get("origin") ?? originOf(req.headers.get("referer"));
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const allowed = new Set<string>();
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  if (host) {
    allowed.add(`http://${host}`);
    allowed.add(`https://${host}`);
  }
  if (!source || !allowed.has(source)) {
    throw new GatewayError(403, "Cross-site request refused: the request must come from this server's own pages.", { type: "permission_error", code: "csrf" });
  }
}

export function requireAdminViewer(viewer: Viewer): void {
  if (viewer.role !== "admin") throw forbidden("Admins only: ask an admin of this Switchyard for access.");
}

/** The team a browser request is billed to: the user's current team, which they must belong to. */
export async function teamOfViewer(viewer: Viewer): Promise<string> {
  const teams = await listTeamsOfUser({ userId: viewer.userId });
  const stillMember = viewer.currentTeamId !== null && (await isTeamMember({ userId: viewer.userId, teamId: viewer.currentTeamId }));
  const current = stillMember ? viewer.currentTeamId : teams[0]?.id;
  if (!current) throw forbidden("You are not in any team yet; ask an admin to add you to one.");
  return current;
}
