/** Secret handling shared by the server: key hashing, AES-256-GCM for provider keys, timing-safe comparison. */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");

/** Compares by hashing both sides first, so neither length nor content leaks through timing. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `sk-sy-${randomBytes(24).toString("base64url")}`;
  return { key, prefix: key.slice(0, 10), hash: sha256Hex(key) };
}

export const generateToken = (bytes = 24): string => randomBytes(bytes).toString("base64url");

const keyFrom = (secret: string) => createHash("sha256").update(`switchyard:provider-keys:${secret}`).digest();

/** "v1.<iv>.<tag>.<ciphertext>", all base64url. */
export function encryptSecret(plain: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, secret: string): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("unrecognised ciphertext format");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}
