/**
 * Hides a provider's API key in upstream text the gateway passes on (error messages, redirect
 * targets, error events): upstreams quote the key they were sent, sometimes re-encoded. Covered:
 * the key in any letter case, percent-encoded in whole or in part (once or twice), and inside any
 * base64 or base64url text, which includes the encodings of "Bearer <key>" and of JSON around it.
 */

export const REDACTED = "••••";

/** Shorter keys are not worth hiding: their patterns would match ordinary words. */
const MIN_KEY_LENGTH = 4;
/** A base64 run shorter than this would also match by chance. */
const MIN_BASE64_LENGTH = 8;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One character of the key as itself (either case) or %XX / %25XX. */
function charPattern(ch: string): string {
  const forms = new Set([ch, ch.toLowerCase(), ch.toUpperCase()]);
  const alternatives = [...forms].map(escapeRegExp);
  for (const byte of Buffer.from(ch, "utf8")) {
    const hex = byte.toString(16).padStart(2, "0");
    alternatives.push(`%(?:25)?[${hex[0]}${hex[0]!.toUpperCase()}][${hex[1]}${hex[1]!.toUpperCase()}]`);
  }
  return `(?:${alternatives.join("|")})`;
}

/**
 * The base64 characters that depend on the key's bytes alone, for each of the three positions the
 * key can start at inside a longer encoded text: whatever surrounds it, one of these appears.
 */
function base64Cores(key: string): string[] {
  const bytes = Buffer.from(key, "utf8");
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_LENGTH) cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return [...new Set(cores)];
}

export type Redactor = (text: string) => string;

const identity: Redactor = (text) => text;

/** A function that replaces every form of `secret` in a text; the identity when there is no secret. */
export function createRedactor(secret: string | null | undefined): Redactor {
  if (!secret || secret.length < MIN_KEY_LENGTH) return identity;
  const plain = [...secret].map(charPattern).join("");
  const pattern = new RegExp([plain, ...base64Cores(secret).map(escapeRegExp)].join("|"), "g");
  return (text) => text.replace(pattern, REDACTED);
}

/** Redacts one string value, passing anything else (null, numbers) through. */
export function redactValue<T>(redact: Redactor, value: T): T {
  return (typeof value === "string" ? redact(value) : value) as T;
}
