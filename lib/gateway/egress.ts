/**
 * Where the gateway may send requests. Provider base URLs are admin input, so without a rule the
 * gateway could be pointed at cloud metadata endpoints (SSRF). Refused: link-local, metadata,
 * unspecified and multicast addresses, however written, and the metadata host names. With an
 * allow-list set, only listed hosts pass; a host the list names exactly passes even if it would be
 * refused otherwise (the operator has looked at that host). This module judges URLs and addresses;
 * egress-connector.ts applies the same rules to the address each connection is actually made to.
 */
import { forbiddenAddress, isIpAddress } from "./ip-address";

export type EgressVerdict = { ok: true } | { ok: false; reason: string };

/** SWITCHYARD_PROVIDER_ALLOWLIST, parsed: null when unset (any host not refused by the rules). */
export type Allowlist = string[] | null;

/** Names that resolve to a metadata service inside the clouds that run them. */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

/** What the refusal error carries so callers can tell it from other connection failures, across bundles. */
export const EGRESS_DENIED_CODE = "EGRESS_DENIED";

export class EgressDenied extends Error {
  readonly code = EGRESS_DENIED_CODE;
  constructor(readonly reason: string) {
    super(`egress refused: ${reason}`);
    this.name = "EgressDenied";
  }
}

/** Anything thrown on the way to an upstream that the egress policy caused, wrapped or not. */
export function isEgressDenied(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === EGRESS_DENIED_CODE) return true;
  }
  return false;
}

/** Lower case, no brackets, no trailing dots: "Metadata.Google.Internal." and "[::1]" compare as written bare. */
export function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.+$/, "");
}

/** An allow-list entry's host written the way URL parsing writes it, so "0x7f.1" lists 127.0.0.1. */
function canonicalHost(host: string): string {
  const bare = normalizeHost(host);
  if (!isIpAddress(bare)) return bare;
  try {
    return normalizeHost(new URL(`http://${bare.includes(":") ? `[${bare}]` : bare}/`).hostname);
  } catch {
    return bare;
  }
}

export function parseAllowlist(raw: string | undefined): Allowlist {
  const list = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

/** Splits "host", "host:port", "[v6]:port" and "*.suffix" entries. */
function splitEntry(entry: string): { host: string; port: string | undefined } {
  const e = entry.trim().toLowerCase();
  const bracketed = /^(\[[^\]]*\])(?::(\d+))?$/.exec(e);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  // More than one colon and no brackets: a bare IPv6 address, which cannot carry a port.
  const hostPort = /^([^:]*):(\d+)$/.exec(e);
  return hostPort ? { host: hostPort[1]!, port: hostPort[2] } : { host: e, port: undefined };
}

function entryMatches(entry: string, host: string, port: string, exactOnly: boolean): boolean {
  const { host: pattern, port: wantPort } = splitEntry(entry);
  if (wantPort && wantPort !== port) return false;
  if (pattern.startsWith("*.")) {
    const suffix = normalizeHost(pattern.slice(1));
    return !exactOnly && host.endsWith(suffix) && host.length > suffix.length;
  }
  return canonicalHost(pattern) === host;
}

/** The host and port the gateway would connect to, normalised; null when the URL cannot be called at all. */
function target(url: string): { host: string; port: string } | { error: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: "not a valid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { error: "only http and https are allowed" };
  return { host: normalizeHost(parsed.hostname), port: parsed.port || (parsed.protocol === "https:" ? "443" : "80") };
}

/**
 * The connection rule for one host and port: the allow-list, then the address and name rules.
 * `host` is normalised; an IP literal is judged by its address, a name by the metadata names only
 * (its addresses are judged when it is resolved).
 */
export function judgeHost(host: string, port: string, allowlist: Allowlist): EgressVerdict & { named?: boolean } {
  if (allowlist?.some((e) => entryMatches(e, host, port, true))) return { ok: true, named: true };
  const forbidden = forbiddenAddress(host) ?? (METADATA_NAMES.has(host) ? "a cloud metadata host name" : null);
  if (forbidden) return { ok: false, reason: `${host} is ${forbidden}` };
  if (allowlist && !allowlist.some((e) => entryMatches(e, host, port, false))) {
    return { ok: false, reason: `${host}:${port} is not in SWITCHYARD_PROVIDER_ALLOWLIST` };
  }
  return { ok: true, named: false };
}

/** Whether a provider base URL may be stored and called, judged by what the URL itself says. */
export function checkEgress(url: string, allowlist: Allowlist): EgressVerdict {
  const t = target(url);
  if ("error" in t) return { ok: false, reason: t.error };
  const verdict = judgeHost(t.host, t.port, allowlist);
  return verdict.ok ? { ok: true } : verdict;
}
