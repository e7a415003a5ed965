/**
 * What the gateway takes and gives back, whichever door a request came through: the custom
 * server's node request and response (the hot path), or a web Request and Response (route
 * handlers, the browser chat). Neither door's objects reach the pipeline.
 */
import { readJsonBody } from "./body";
import type { HeaderLookup } from "./providers/transport";
import type { StreamRelay } from "./relay";

export interface GatewayRequest {
  headers: HeaderLookup;
  /** The body as JSON, refused with 413 past `limit` bytes and 400 when it is not JSON. */
  json(limit: number): Promise<unknown>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

export type GatewayResponse =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: StreamRelay };

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
});

export function fromWebRequest(req: Request): GatewayRequest {
  return { headers: req.headers, json: (limit) => readJsonBody(req, limit), signal: req.signal };
}

const encoder = new TextEncoder();

export function toWebResponse(res: GatewayResponse): Response {
  if ("body" in res) return new Response(res.status === 499 ? null : res.body, { status: res.status, headers: res.headers });
  const relay = res.stream;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const text = await relay.next();
      if (text === null) return controller.close();
      if (text) controller.enqueue(encoder.encode(text));
      // The client's side is full: until it reads, silence is ours, not the upstream's.
      if (controller.desiredSize !== null && controller.desiredSize <= 0) relay.busy();
    },
    cancel: () => relay.cancel(),
  });
  return new Response(body, { status: res.status, headers: res.headers });
}
