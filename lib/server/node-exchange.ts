/**
 * The gateway's request and response over node's own http objects: the body read with the byte
 * cap, SSE written straight to the socket, waiting for `drain` when the client reads slower than
 * the upstream sends. No web Request, Response or stream on this path.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJsonBody } from "../gateway/body";
import { bodyTooLarge } from "../gateway/errors";
import type { GatewayRequest, GatewayResponse } from "../gateway/exchange";
import type { HeaderLookup } from "../gateway/providers/transport";
import type { StreamRelay } from "../gateway/relay";

function headerLookup(req: IncomingMessage): HeaderLookup {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function readText(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit, { connection: "close" }));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // The rest of the upload stays unread, so the connection cannot carry another request.
        reject(bodyTooLarge(limit, { connection: "close" }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** `signal` aborts when the client goes away before the response is finished. */
export function fromNodeRequest(req: IncomingMessage, res: ServerResponse): GatewayRequest {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return {
    headers: headerLookup(req),
    json: async (limit) => parseJsonBody(await readText(req, limit)),
    signal: controller.signal,
  };
}

export function writeGatewayResponse(res: ServerResponse, answer: GatewayResponse): Promise<void> {
  if (res.destroyed) {
    if ("stream" in answer) answer.stream.cancel();
    return Promise.resolve();
  }
  if ("body" in answer) {
    if (answer.status === 499) return Promise.resolve(void res.destroy());
    res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
    res.end(answer.body);
    return Promise.resolve();
  }
  res.writeHead(answer.status, answer.headers);
  // Events go out as they are made, so the status must not wait for the first token.
  res.flushHeaders();
  return pump(res, answer.stream);
}

async function pump(res: ServerResponse, relay: StreamRelay): Promise<void> {
  let drained: (() => void) | null = null;
  const wake = () => {
    const d = drained;
    drained = null;
    d?.();
  };
  const onClose = () => {
    if (!res.writableFinished) relay.cancel();
    wake();
  };
  res.on("close", onClose);
  res.on("drain", wake);
  try {
    for (;;) {
      const text = await relay.next();
      if (text === null || res.destroyed) break;
      if (text && !res.write(text)) {
        // The client's side is full: until it reads, silence is ours, not the upstream's.
        relay.busy();
        await new Promise<void>((resolve) => (drained = resolve));
        relay.ready();
      }
    }
    if (!res.destroyed) res.end();
  } finally {
    res.off("close", onClose);
    res.off("drain", wake);
  }
}
