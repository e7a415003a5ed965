/** What every admin service needs from the server, and small helpers they share. */
import { randomBytes } from "node:crypto";
import type { Gateway } from "../gateway/gateway";
import type { CatalogCache } from "../server/catalog";
import type { UsageWriter } from "../usage/writer";

export interface AdminContext {
  /** Encrypts provider API keys at rest. */
  secret: string;
  now: () => number;
  /** Invalidated after every provider or model write so the gateway sees it on the next request. */
  catalog: Pick<CatalogCache, "invalidate">;
  gateway: Pick<Gateway, "budgets" | "breakers">;
  /** Flushed before spend is read, so rows still queued behind requests are counted. */
  usage: Pick<UsageWriter, "flush">;
  /** Who acts, for audit events: "admin-token", a user id, or "system". */
  actor?: string;
  /** Hosts provider base URLs may point at (SWITCHYARD_PROVIDER_ALLOWLIST); null allows any the egress rules do not refuse. */
  egressAllowlist?: string[] | null;
  /** Tells the other instances (through shared state) that a key was revoked, ahead of their once-a-second check. */
  announceRevoked?: (keyId: string) => Promise<void>;
}

export function adminContext(source: AdminContext): AdminContext {
  return {
    secret: source.secret,
    now: source.now,
    catalog: source.catalog,
    gateway: source.gateway,
    usage: source.usage,
    egressAllowlist: source.egressAllowlist ?? null,
    announceRevoked: source.announceRevoked,
  };
}

/** "prv_3f9a…": a type prefix makes ids self-describing in logs and URLs. */
export const newId = (prefix: "prv" | "mdl" | "team" | "key"): string => `${prefix}_${randomBytes(12).toString("hex")}`;

export const toIso = (ms: number): string => new Date(ms).toISOString();

export const toIsoOrNull = (ms: number | null): string | null => (ms === null ? null : toIso(ms));
