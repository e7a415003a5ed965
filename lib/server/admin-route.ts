/**
 * Wraps every admin route handler: admin bearer token, Next's async params, lazy JSON body with a
 * size limit, and errors through the one OpenAI-shaped error response.
 */
import { adminContext, type AdminContext } from "../admin/context";
import { bearerToken } from "../gateway/auth";
import { readJsonBody } from "../gateway/body";
import { toErrorResponse, unauthorized } from "../gateway/errors";
import { getRuntime, type Runtime } from "./runtime";
import { assertSameOrigin, requireAdminViewer, viewerFrom } from "./session";

// Admin bodies are small objects; the limit is fixed rather than following the chat door's setting.
const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

export interface AdminRequest<P> {
  ctx: AdminContext;
  params: P;
  query: URLSearchParams;
  /** Reads and parses the JSON body: 400 invalid_json when malformed, 413 over 1 MiB. */
  json: () => Promise<unknown>;
  req: Request;
}

/** The admin token (tools) or an admin's session (browser); a member's session gets 403. */
async function requireAdmin(req: Request, runtime: Runtime): Promise<string> {
  const token = bearerToken(req);
  if (token) {
    if (!runtime.verifyAdminToken(token)) throw unauthorized();
    return "admin-token";
  }
  const viewer = await viewerFrom(runtime, req.headers);
  if (!viewer) throw unauthorized("Sign in as an admin, or send the admin token as 'Authorization: Bearer …'.");
  requireAdminViewer(viewer);
  assertSameOrigin(req, runtime.env.SWITCHYARD_PUBLIC_URL);
  // The audit trail names people by email: readable, and it outlives a deleted account's id.
  return viewer.email;
}

export function adminRoute<P extends Record<string, string> = Record<string, never>>(
  handler: (input: AdminRequest<P>) => unknown,
  opts: { status?: number } = {},
) {
  return async (req: Request, route: { params: Promise<P> }): Promise<Response> => {
    let runtime: Runtime | undefined;
    try {
      runtime = getRuntime();
      const actor = await requireAdmin(req, runtime);
      const result = await handler({
        ctx: { ...adminContext(runtime), actor },
        params: await route.params,
        query: new URL(req.url).searchParams,
        json: () => readJsonBody(req, ADMIN_MAX_BODY_BYTES),
        req,
      });
      return Response.json(result, { status: opts.status ?? 200, headers: { "cache-control": "no-store" } });
    } catch (err) {
      return toErrorResponse(err, runtime?.log ?? console);
    }
  };
}
