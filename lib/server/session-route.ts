/**
 * Wraps route handlers for signed-in people (any role): session cookie required (401 without),
 * same-origin check on state changes, Next's async params, errors in the one OpenAI shape.
 */
import { readJsonBody } from "../gateway/body";
import { toErrorResponse } from "../gateway/errors";
import { getRuntime, type Runtime } from "./runtime";
import { assertSameOrigin, requireViewer, type Viewer } from "./session";

// Titles, model names, a team id: small objects. The chat door reads its own, larger bodies.
const SESSION_MAX_BODY_BYTES = 64 * 1024;

export interface SessionRequest<P> {
  viewer: Viewer;
  runtime: Runtime;
  params: P;
  req: Request;
  /** Reads and parses the JSON body: 400 invalid_json when malformed, 413 over 64 KiB. */
  json: () => Promise<unknown>;
}

export function sessionRoute<P extends Record<string, string> = Record<string, never>>(
  handler: (input: SessionRequest<P>) => unknown,
  opts: { status?: number } = {},
) {
  return async (req: Request, route: { params: Promise<P> }): Promise<Response> => {
    const runtime = getRuntime();
    try {
      const viewer = await requireViewer(runtime, req);
      assertSameOrigin(req, runtime.env.SWITCHYARD_PUBLIC_URL);
      const result = await handler({ viewer, runtime, params: await route.params, req, json: () => readJsonBody(req, SESSION_MAX_BODY_BYTES) });
      if (result instanceof Response) return result;
      return Response.json(result, { status: opts.status ?? 200, headers: { "cache-control": "no-store" } });
    } catch (err) {
      return toErrorResponse(err, runtime.log);
    }
  };
}
