/**
 * Wraps the usage route handlers: admin or team-key access, queued usage rows flushed so the
 * answer includes requests that just finished, JSON (or the handler's own Response), and errors
 * through the one OpenAI-shaped error response.
 */
import { toErrorResponse } from "../gateway/errors";
import { getRuntime, type Runtime } from "../server/runtime";
import { usageScope, type UsageScope } from "./access";

export interface UsageRequest {
  runtime: Runtime;
  scope: UsageScope;
  query: URLSearchParams;
  now: number;
}

export function usageRoute(handler: (input: UsageRequest) => unknown) {
  return async (req: Request): Promise<Response> => {
    let runtime: Runtime | undefined;
    try {
      runtime = getRuntime();
      const scope = await usageScope(req, runtime);
      runtime.usage.flush();
      const result = await handler({ runtime, scope, query: new URL(req.url).searchParams, now: runtime.now() });
      return result instanceof Response ? result : Response.json(result, { headers: { "cache-control": "no-store" } });
    } catch (err) {
      return toErrorResponse(err, runtime?.log ?? console);
    }
  };
}
