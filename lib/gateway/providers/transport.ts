/**
 * How a chat-completions call reaches its upstream and how its answer is read, whether over the
 * network (undici's pooled client: no web Request, Response or stream per call) or from the
 * in-process simulator (a web Response).
 */
import { request as undiciRequest, type Dispatcher } from "undici";
import type { Readable } from "node:stream";
import { createEgressAgent, type EgressGuard } from "../egress-connector";
import { readEvents, untilAborted, webByteSource, type ByteSource, type EventReader } from "../sse";

export interface HeaderLookup {
  get(name: string): string | null;
}

export interface UpstreamResponse {
  status: number;
  headers: HeaderLookup;
  /** The whole body; rejects with the signal's reason once it aborts. */
  text(): Promise<string>;
  /** The body as server-sent events. */
  events(): EventReader;
  /** Drops the body unread and frees the connection. */
  discard(): void;
}

export interface UpstreamCallInit {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export type UpstreamClient = (call: UpstreamCallInit) => Promise<UpstreamResponse>;

/**
 * Adapts a web Response. `hold` stays reachable for as long as the body is read: fetch(request)
 * copies the Request, and the copy follows the original's signal through a weak reference only
 * (nodejs/undici#4068), so once nothing holds the original a garbage collection cuts the chain and
 * an abort (a timeout, a client going away) no longer stops the call.
 */
export function fromWebResponse(res: Response, signal: AbortSignal, hold?: unknown): UpstreamResponse {
  return {
    status: res.status,
    headers: res.headers,
    text: () => untilAborted(res.text(), signal),
    events: () => {
      if (!res.body) return readEvents(emptySource, signal);
      const source = webByteSource(res.body);
      // The reader holds its source, and through it `hold`, for as long as it may read.
      return readEvents({ ...source, close: () => (void hold, source.close()) }, signal);
    },
    discard: () => {
      res.body?.cancel().catch(() => {});
    },
  };
}

/** Any fetch function as an upstream client: for tests and tools that already have one. */
export function fetchClient(fetchFn: (req: Request) => Promise<Response>): UpstreamClient {
  return async ({ url, headers, body, signal }) => {
    const req = new Request(url, { method: "POST", headers, body, signal });
    return fromWebResponse(await fetchFn(req), signal, req);
  };
}

/**
 * Pooled keep-alive connections per upstream origin. An idle connection is kept for undici's default
 * (4 s, or less when the upstream's Keep-Alive header says so): a POST sent on a connection the
 * upstream has just closed fails, so keeping them longer than providers do costs retries. The
 * gateway's own clocks (first byte, idle, deadline) abort calls through their signal; undici's
 * timeouts stay as a backstop. Every connection passes the egress policy at connect time; the
 * dispatcher is shared with the provider connection test so both obey the same rule.
 */
export function createHttpClient(egress: EgressGuard): { client: UpstreamClient; dispatcher: Dispatcher; close(): Promise<void> } {
  const agent = createEgressAgent(egress, { pipelining: 1 });
  const client: UpstreamClient = async ({ url, headers, body, signal }) => {
    const res = await undiciRequest(url, { method: "POST", headers, body, signal, dispatcher: agent });
    const raw = res.headers;
    return {
      status: res.statusCode,
      headers: {
        get(name) {
          const value = raw[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
        },
      },
      text: () => untilAborted(res.body.text(), signal),
      events: () => readEvents(nodeByteSource(res.body), signal),
      discard: () => res.body.destroy(),
    };
  };
  // By shutdown the grace period is over: calls still open are cut, not waited for.
  return { client, dispatcher: agent, close: () => agent.destroy() };
}

const emptySource: ByteSource = { start: (sink) => sink.end(), pause() {}, resume() {}, close() {} };

/** A node stream as a byte source: its data events, paused and resumed as the reader keeps up. */
function nodeByteSource(body: Readable): ByteSource {
  return {
    start(sink) {
      body.on("data", (chunk: Buffer) => sink.chunk(chunk));
      body.once("end", () => sink.end());
      body.once("error", (err) => sink.fail(err));
      // Destroyed before its end (aborted, or the connection dropped): a failure, not an end.
      body.once("close", () => sink.fail(new Error("the upstream body closed before its end")));
    },
    pause: () => body.pause(),
    resume: () => body.resume(),
    close: () => body.destroy(),
  };
}
