import { sha256Hex } from "../secrets";
import { expiredApiKey, invalidApiKey } from "./errors";
import type { HeaderLookup } from "./providers/transport";
import type { Caller, GatewayStore } from "./types";

export function bearerToken(req: { headers: HeaderLookup }): string | null {
  const header = req.headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || null;
}

/**
 * A team API key is looked up by its SHA-256: the hash lookup is what compares, so no clear key is
 * ever held or compared byte by byte.
 */
export async function authenticateApiKey(req: { headers: HeaderLookup }, store: GatewayStore): Promise<Caller> {
  const token = bearerToken(req);
  if (!token) {
    throw invalidApiKey("You didn't provide an API key. Send it as 'Authorization: Bearer sk-…'.");
  }
  const caller = await store.callerForKeyHash(sha256Hex(token));
  if (!caller) throw invalidApiKey("Incorrect API key provided, or the key has been revoked.");
  if ("expiredAt" in caller) throw expiredApiKey(caller.expiredAt, caller.rotated);
  return caller;
}
