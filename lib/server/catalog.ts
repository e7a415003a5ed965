/** The gateway's in-memory view of providers and models, rebuilt after an admin changes either. */
import { randomUUID } from "node:crypto";
import { listProvidersAndModels } from "@/db/queries/catalog";
import { getSetting, setSetting } from "@/db/queries/settings";
import type { Logger } from "../gateway/types";
import { DEFAULT_PROVIDER_SETTINGS, type Catalog, type ModelConfig, type ProviderConfig, type ProviderSettings, type RouteConfig } from "../gateway/types";
import { checkEgress } from "../gateway/egress";
import { canonicalEndpoints } from "../gateway/endpoints/capabilities";
import { PROVIDER_KIND_INFO, type ProviderKind } from "../gateway/providers/kinds";
import { decryptSecret } from "../secrets";

function egressDenial(url: string, allowlist: string[] | null): string | null {
  const r = checkEgress(url, allowlist);
  return r.ok ? null : r.reason;
}

export interface CatalogCache {
  /** The cached catalog at once while it is fresh, else a promise of the reloaded one. */
  get(): Catalog | Promise<Catalog>;
  invalidate(): void;
  /** Stops watching for other instances' changes (shutdown). */
  close?(): void;
}

export function providerSettings(raw: Record<string, unknown> | null | undefined): ProviderSettings {
  const s = { ...DEFAULT_PROVIDER_SETTINGS };
  for (const k of Object.keys(s) as Array<keyof ProviderSettings>) {
    const v = raw?.[k];
    if (k === "responsesApi") s.responsesApi = v === true;
    else if (typeof v === "number" && Number.isFinite(v) && v > 0) s[k] = v;
  }
  return s;
}

// Instances sharing a database learn of each other's catalog changes through this setting: each
// change writes a new token, and each instance compares it with the last it saw at most once a second.
const CATALOG_VERSION = "catalog_version";
const VERSION_CHECK_MS = 1_000;

export interface SharedCatalogOptions {
  now: () => number;
  log: Logger;
}

/**
 * The catalog, cached. With `shared`, a change made here is announced to the other instances on
 * the same database, and theirs reach this one within about a second: a timer compares the
 * announced token once a second, so even the first request after a quiet spell sees the change.
 */
export function createCatalogCache(secret: string, egressAllowlist: string[] | null = null, shared?: SharedCatalogOptions): CatalogCache {
  let current: Catalog | null = null;
  let seenToken: string | null | undefined;
  let checking = false;
  const checkShared = () => {
    if (!shared || checking) return;
    checking = true;
    getSetting({ key: CATALOG_VERSION })
      .then((token) => {
        const t = token ?? null;
        if (seenToken !== undefined && t !== seenToken) dropLocal();
        seenToken = t;
      })
      .catch((err: unknown) => shared.log.error("catalog version check failed", { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        checking = false;
      });
  };
  const announce = () => {
    if (!shared) return;
    const token = randomUUID();
    seenToken = token;
    setSetting({ key: CATALOG_VERSION, value: token, now: shared.now() }).catch((err: unknown) =>
      shared.log.error("announcing a catalog change failed", { error: err instanceof Error ? err.message : String(err) }),
    );
  };
  // Bumped by every invalidate: a reload that began before one is not kept, and callers after it
  // do not wait on it.
  let version = 0;
  let reloading: { version: number; catalog: Promise<Catalog> } | null = null;
  const build = (rows: Awaited<ReturnType<typeof listProvidersAndModels>>): Catalog => {
    const providers = new Map<string, ProviderConfig>();
    for (const p of rows.providers) {
      providers.set(p.id, {
        id: p.id,
        name: p.name,
        kind: p.kind as ProviderKind,
        baseUrl: p.baseUrl,
        apiKey: p.apiKeyCiphertext ? decryptSecret(p.apiKeyCiphertext, secret) : null,
        settings: providerSettings(p.settings),
        egressDenied: PROVIDER_KIND_INFO[p.kind as ProviderKind]?.remote && p.baseUrl ? egressDenial(p.baseUrl, egressAllowlist) : null,
      });
    }
    const models = new Map<string, ModelConfig>();
    for (const m of rows.models) {
      models.set(m.name, {
        id: m.id,
        name: m.name,
        providerId: m.providerId,
        upstreamModel: m.upstreamModel,
        inputMicrosPerMTok: m.inputMicrosPerMTok,
        outputMicrosPerMTok: m.outputMicrosPerMTok,
        maxOutputTokens: m.maxOutputTokens,
        maxTokensField: m.maxTokensField,
        rpmLimit: m.rpmLimit,
        tpmLimit: m.tpmLimit,
        fallbacks: m.fallbacks,
        endpoints: canonicalEndpoints(m.endpoints),
        simulator: m.simulator ?? null,
        createdAt: m.createdAt,
      });
    }
    const routes = new Map<string, RouteConfig>();
    for (const r of rows.routes) {
      routes.set(r.name, {
        id: r.id,
        name: r.name,
        seed: r.seed,
        status: r.status,
        controlModel: r.controlModel,
        candidateModel: r.candidateModel,
        candidateWeight: r.candidateWeight,
        stickyBy: r.stickyBy,
        createdAt: r.createdAt,
      });
    }
    return { providers, models, routes };
  };
  const reload = async (startedAt: number): Promise<Catalog> => {
    try {
      const catalog = build(await listProvidersAndModels());
      if (version === startedAt) current = catalog;
      return catalog;
    } finally {
      if (reloading?.version === startedAt) reloading = null;
    }
  };
  const dropLocal = () => {
    current = null;
    version++;
  };
  const watch = shared ? setInterval(checkShared, VERSION_CHECK_MS).unref() : null;
  return {
    get() {
      if (current) return current;
      // Concurrent callers share one reload.
      if (reloading?.version !== version) reloading = { version, catalog: reload(version) };
      return reloading.catalog;
    },
    invalidate: () => {
      dropLocal();
      announce();
    },
    close: () => {
      if (watch) clearInterval(watch);
    },
  };
}
