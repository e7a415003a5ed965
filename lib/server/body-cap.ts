/**
 * One byte cap on every request body, enforced by the custom server before Next.js or a route
 * handler reads anything: anyone can post to the sign-in endpoint, so the cap cannot wait for a
 * handler to choose one. A declared length over the cap is refused at once; a chunked body is held
 * back from the app (never more than the cap in memory) until it ends, and refused the moment it
 * passes the cap.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyTooLarge } from "../gateway/errors";

// After a 413 the rest of the upload is read and thrown away for this long before the connection
// is cut (a "lingering close"): closing on a client that is still writing makes the kernel answer
// its bytes with a reset, and the client then reports a broken connection instead of the 413.
const LINGER_MS = 2_000;

/** 413 in the OpenAI shape. The unread rest of the body makes the connection useless: it closes. */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const body = JSON.stringify(bodyTooLarge(limit).body());
  lingerOnClose(req);
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" });
  res.end(body);
}

/**
 * Node closes a `connection: close` answer's socket through destroySoon(): this one only ends
 * our side, keeps taking (and discarding, the request being finished) what the client still
 * sends, and destroys the socket once the client hangs up or LINGER_MS have passed.
 */
function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

/** Calls `pass` once the request may go on to the app, or answers 413 itself and never calls it. */
export function capBody(req: IncomingMessage, res: ServerResponse, limit: number, pass: () => void): void {
  const declared = req.headers["content-length"];
  // Node's parser has already refused a malformed length, and delivers no more bytes than declared.
  if (declared !== undefined) return Number(declared) > limit ? refuseTooLarge(req, res, limit) : pass();
  if (req.headers["transfer-encoding"] === undefined) return pass();
  holdChunked(req, res, limit, pass);
}

/**
 * Node's HTTP parser hands each piece of the body to `req.push`. Intercepting it there keeps the
 * request object Next.js expects (socket, headers, abort handling) while nothing reaches a reader
 * until the whole body is known to fit.
 */
function holdChunked(req: IncomingMessage, res: ServerResponse, limit: number, pass: () => void): void {
  const push = req.push.bind(req);
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.push = (chunk: Buffer | null): boolean => {
    // After a 413 the rest is dropped as it arrives; the connection closes once the answer is out.
    if (refused) return true;
    if (chunk === null) {
      req.push = push;
      for (const c of chunks) push(c);
      push(null);
      pass();
      return false;
    }
    size += chunk.length;
    if (size > limit) {
      refused = true;
      chunks.length = 0;
      refuseTooLarge(req, res, limit);
      return true;
    }
    chunks.push(chunk);
    return true;
  };
}
