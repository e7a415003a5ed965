import { badRequest, bodyTooLarge } from "./errors";

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
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks, size).toString("utf8");
  if (!text.trim()) throw badRequest("The request body is empty; expected a JSON object.", null, "invalid_body");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`, null, "invalid_json");
  }
}
