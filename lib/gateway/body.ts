import { badRequest, bodyTooLarge } from "./errors";

// Far deeper than any real request (tool schemas included). JSON.parse copes with any depth, but
// JSON.stringify, the tokenizer and the validators recurse and would overflow the stack on a few
// kilobytes of brackets, so depth is refused up front.
export const MAX_JSON_DEPTH = 64;

/** Walks the parsed value without recursion; true as soon as a container sits deeper than `max`. */
function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ v: object; depth: number }> = [];
  if (value !== null && typeof value === "object") stack.push({ v: value, depth: 1 });
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push({ v: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * Reads a JSON body, refusing it as soon as it passes `limit` bytes rather than after buffering
 * all of it.
 */
export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
  if (!req.body) throw badRequest("The request body is empty; expected a JSON object.", null, "invalid_body");

  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      // The rest of the upload stays unread, so the connection cannot carry another request: a
      // keep-alive client would send its next one into the abandoned body and wait forever.
      throw bodyTooLarge(limit, { connection: "close" });
    }
    chunks.push(value);
  }
  return parseJsonBody(Buffer.concat(chunks, size).toString("utf8"));
}

/** A body's text as JSON: 400 when it is empty, not JSON, or nested past MAX_JSON_DEPTH. */
export function parseJsonBody(text: string): unknown {
  if (!text.trim()) throw badRequest("The request body is empty; expected a JSON object.", null, "invalid_body");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`, null, "invalid_json");
  }
  if (deeperThan(json, MAX_JSON_DEPTH)) {
    throw badRequest(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`, null, "invalid_body");
  }
  return json;
}
