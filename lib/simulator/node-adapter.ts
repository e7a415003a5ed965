// Bridges node:http to the Web Request/Response the simulator speaks, streaming bodies as they come.
import type { IncomingMessage, ServerResponse } from "node:http";

// The handler reads only the path, so every request gets the same synthetic origin.
const ORIGIN = "http://simulator";

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function toWebRequest(req: IncomingMessage, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" && body.length > 0;
  // A view over the Buffer's memory, not a copy.
  const bytes = hasBody ? new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength) : undefined;
  return new Request(ORIGIN + (req.url ?? "/"), { method, headers, body: bytes, signal });
}

/**
 * Writes a Web Response to node, one chunk per write. A body that fails part way destroys the
 * socket, so the client sees a cut rather than a clean end; a client that leaves cancels the body.
 */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  if (!response.body) return void res.end();

  const eventStream = response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
  // Events go out as they are made, so the status must not wait for the first token.
  if (eventStream) res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.on("close", onClose);
  // Other bodies usually come in one chunk; holding it back lets it go out with a content-length.
  let held: Uint8Array | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!eventStream && !res.headersSent && !held) {
        held = value;
        continue;
      }
      if (held) await write(res, held);
      held = undefined;
      await write(res, value);
    }
    if (held && !res.headersSent) res.setHeader("content-length", held.byteLength);
    res.end(held);
  } catch {
    if (held) res.write(held);
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.write(chunk) || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
