/**
 * The OpenAI-compatible door, answered by the custom server itself: `/v1/*` and `/api/v1/*` go
 * straight to the gateway with node's own request and response. Machine-to-machine traffic does
 * not pay for the framework's router, request context and web streams (measured: RESULTS.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { methodNotAllowed, notFound, toErrorAnswer } from "../gateway/errors";
import type { Gateway } from "../gateway/gateway";
import type { GatewayRequest, GatewayResponse } from "../gateway/exchange";
import type { Logger } from "../gateway/types";
import { fromNodeRequest, writeGatewayResponse } from "./node-exchange";

type Endpoint = { method: string; call: (gateway: Gateway, req: GatewayRequest) => Promise<GatewayResponse> };

const ENDPOINTS: Record<string, Endpoint> = {
  "/chat/completions": { method: "POST", call: (g, r) => g.chatCompletions(r) },
  "/embeddings": { method: "POST", call: (g, r) => g.embeddings(r) },
  "/responses": { method: "POST", call: (g, r) => g.responses(r) },
  "/models": { method: "GET", call: (g, r) => g.models(r) },
};

/** The path under /v1 when the request is for the API door, else null. */
export function apiPath(url: string | undefined): string | null {
  if (!url) return null;
  const end = url.indexOf("?");
  const path = end === -1 ? url : url.slice(0, end);
  if (path.startsWith("/v1/")) return path.slice(3);
  if (path.startsWith("/api/v1/")) return path.slice(7);
  return path === "/v1" || path === "/api/v1" ? "/" : null;
}

export function createApiDoor(gateway: Gateway, log: Logger) {
  return function serve(path: string, req: IncomingMessage, res: ServerResponse): void {
    const endpoint = ENDPOINTS[path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path];
    let answer: Promise<GatewayResponse>;
    if (!endpoint) answer = Promise.resolve(toErrorAnswer(notFound(`Unknown request URL: ${req.method} /v1${path}.`, "unknown_url")));
    else if (req.method !== endpoint.method && !(req.method === "HEAD" && endpoint.method === "GET")) {
      answer = Promise.resolve(toErrorAnswer(methodNotAllowed(req.method ?? "?"), undefined, { allow: endpoint.method }));
    } else answer = endpoint.call(gateway, fromNodeRequest(req, res));
    answer
      .then((a) => writeGatewayResponse(res, a))
      .catch((err: unknown) => {
        log.error("api request failed", { error: err instanceof Error ? err.message : String(err) });
        if (res.headersSent) return void res.destroy();
        void writeGatewayResponse(res, toErrorAnswer(err, log));
      });
  };
}
