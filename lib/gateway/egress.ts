/**
 * Where the gateway may send requests. Provider base URLs are admin input, so without a rule the
 * gateway could be pointed at cloud metadata endpoints or internal services (SSRF). Link-local
 * and metadata addresses are always refused; with an allow-list set, only listed hosts pass.
 */
import { isIP } from "node:net";

const ALWAYS_DENIED_HOSTS = new Set(["metadata.google.internal", "metadata", "0.0.0.0", "[::]"]);

function isLinkLocal(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(bare) === 4) return bare.startsWith("169.254.");
  if (isIP(bare) === 6) return /^fe[89ab][0-9a-f]:/.test(bare) || bare.startsWith("fd00:ec2:");
  return false;
}

/** Patterns: "api.openai.com", "*.openrouter.ai", "localhost:11434" (host, optional port, leading "*." wildcard). */
function matches(pattern: string, hostname: string, port: string): boolean {
  const [host, wantPort] = pattern.toLowerCase().split(/:(?=\d+$)/) as [string, string | undefined];
  if (wantPort && wantPort !== port) return false;
  if (host.startsWith("*.")) return hostname.endsWith(host.slice(1)) && hostname.length > host.length - 1;
  return hostname === host;
}

export function parseAllowlist(raw: string | undefined): string[] | null {
  const list = (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

export function checkEgress(url: string, allowlist: string[] | null): { ok: true } | { ok: false; reason: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return { ok: false, reason: "only http and https are allowed" };
  const hostname = parsed.hostname.toLowerCase();
  if (ALWAYS_DENIED_HOSTS.has(hostname) || isLinkLocal(hostname)) return { ok: false, reason: `${hostname} is a link-local or metadata address` };
  if (!allowlist) return { ok: true };
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return allowlist.some((p) => matches(p, hostname, port))
    ? { ok: true }
    : { ok: false, reason: `${parsed.host} is not in SWITCHYARD_PROVIDER_ALLOWLIST` };
}
