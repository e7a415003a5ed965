/**
 * The server's composition root: opens the database, prepares secrets, seeds the demo on first
 * start and builds the gateway. One instance per process, kept on globalThis so the custom server
 * and Next's route handlers share it.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { getSetting, setSetting } from "@/db/queries/settings";
import { existingRequestIds, insertUsageBatch } from "@/db/queries/usage";
import type { ProviderTestDeps } from "../admin/provider-test";
import { parseEnv, type Env } from "../env";
import type { BreakerOptions } from "../gateway/circuit-breaker";
import { parseAllowlist } from "../gateway/egress";
import { createGateway, type Gateway } from "../gateway/gateway";
import { randomRequestId } from "../gateway/state";
import { createHttpClient } from "../gateway/providers/transport";
import type { Logger } from "../gateway/types";
import { createLogger } from "../log";
import { observeUsage } from "../metrics/metrics";
import { generateToken, safeEqual, sha256Hex } from "../secrets";
import { createSimulator } from "../simulator/handler";
import { openUsageJournal, replayUsageJournal } from "../usage/journal";
import { createUsageWriter, type UsageWriter } from "../usage/writer";
import { startRolloutLoop } from "../rollout/loop";
import { createAttemptLimiter, type AttemptLimiter } from "./attempt-limiter";
import { createAuth, type Auth } from "./auth";
import { createCatalogCache, type CatalogCache } from "./catalog";
import { openDatabase, type Database } from "./database";
import { seedDemo } from "./seed";
import { openSharedState, type SharedState } from "./shared-state";
import { breakerEvent, createStore } from "./store";

export interface Runtime {
  env: Env;
  log: Logger;
  secret: string;
  catalog: CatalogCache;
  usage: UsageWriter;
  gateway: Gateway;
  database: Database;
  /** This process's state, or the state shared with other instances through Redis. */
  shared: SharedState;
  /** Other instances drop a revoked key at once (through shared state); see lib/admin/keys.ts. */
  announceRevoked(keyId: string): Promise<void>;
  /** The sign-in library, created on first use (auth.ts says why). */
  auth(): Promise<Auth>;
  /** Wrong passwords per account, whichever address they come from (auth-route.ts). */
  signInLimiter: AttemptLimiter;
  egressAllowlist: string[] | null;
  /** "Test connection" goes out through the chat calls' dispatcher and its egress policy. */
  providerTest: ProviderTestDeps;
  now: () => number;
  verifyAdminToken(token: string): boolean;
  /** Lines to print once at start (generated admin token, demo key, setup token). */
  banner: string[];
  /** Set by the custom server, which stamps every request with the client's address (client-address.ts). */
  clientStamped: boolean;
  /** SHA-256 of the one-time token that lets another machine create the first admin; null once not needed. */
  setupTokenHash: string | null;
  shutdown(): Promise<void>;
}

const KEY = Symbol.for("switchyard.runtime");
type Holder = { [KEY]?: Promise<Runtime> };

/** The shared secret that encrypts provider keys: from the environment, else a file beside the database. */
function loadSecret(env: Env, log: Logger): string {
  if (env.SWITCHYARD_SECRET) return env.SWITCHYARD_SECRET;
  // Instances sharing a database must share the secret too, or none can read another's provider keys.
  if (env.DATABASE_URL) log.warn("DATABASE_URL is set without SWITCHYARD_SECRET: this instance keeps its own secret file, which other instances cannot read");
  const dir = env.DATABASE_PATH === ":memory:" ? null : dirname(env.DATABASE_PATH);
  if (!dir) return generateToken(32);
  const file = join(dir, "secret");
  if (existsSync(file)) {
    // A copy written by an older version or restored from a backup may be readable by others.
    chmodSync(file, 0o600);
    return readFileSync(file, "utf8").trim();
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = generateToken(32);
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  log.info("generated SWITCHYARD_SECRET", { file });
  return secret;
}

/** The admin token's hash lives in the database; a generated token is shown once and never again. */
async function adminTokenHash(env: Env, now: number, banner: string[]): Promise<string> {
  if (env.SWITCHYARD_ADMIN_TOKEN) return sha256Hex(env.SWITCHYARD_ADMIN_TOKEN);
  const stored = await getSetting({ key: "admin_token_sha256" });
  if (stored) return stored;
  const token = `sy-admin-${generateToken(24)}`;
  const hash = sha256Hex(token);
  await setSetting({ key: "admin_token_sha256", value: hash, now });
  banner.push(`Admin token (shown once, keep it): ${token}`);
  return hash;
}

/** The usage journal's folder: per instance, on local disk; none for an in-memory database (tests). */
function usageJournalDir(env: Env): string | null {
  if (env.SWITCHYARD_USAGE_JOURNAL_DIR) return env.SWITCHYARD_USAGE_JOURNAL_DIR;
  return env.DATABASE_PATH === ":memory:" ? null : join(dirname(env.DATABASE_PATH), "usage-journal");
}

/** Only the breaker settings the environment sets; the rest keep the gateway's defaults. */
function breakerOptions(env: Env): Partial<BreakerOptions> {
  const opts: Partial<BreakerOptions> = {};
  if (env.SWITCHYARD_BREAKER_OPEN_MS !== undefined) opts.openMs = env.SWITCHYARD_BREAKER_OPEN_MS;
  if (env.SWITCHYARD_BREAKER_MIN_REQUESTS !== undefined) opts.minimumRequests = env.SWITCHYARD_BREAKER_MIN_REQUESTS;
  return opts;
}

export async function createRuntime(env: Env = parseEnv()): Promise<Runtime> {
  const log = createLogger(env.SWITCHYARD_LOG_LEVEL);
  const now = Date.now;
  const database = await openDatabase(env);
  const banner: string[] = [];
  const secret = loadSecret(env, log);
  // One instance at a time: several starting together on an empty database make one token.
  const tokenHash = await database.once(() => adminTokenHash(env, now(), banner));

  const egressAllowlist = parseAllowlist(env.SWITCHYARD_PROVIDER_ALLOWLIST);
  const catalog = createCatalogCache(secret, egressAllowlist, { now, log });
  const journalDir = usageJournalDir(env);
  if (journalDir) {
    const replayed = await replayUsageJournal(journalDir, { insert: insertUsageBatch, existingRequestIds });
    if (replayed > 0) log.warn("wrote usage rows an earlier process left unwritten", { rows: replayed });
  }
  const usage = createUsageWriter({ insert: insertUsageBatch, flushMs: env.SWITCHYARD_USAGE_FLUSH_MS, log, journal: journalDir ? openUsageJournal(journalDir) : undefined });
  const store = createStore(catalog, usage, now, log);
  const simulator = createSimulator({});
  const upstreamHttp = createHttpClient({ allowlist: egressAllowlist });
  const shared = await openSharedState(env, {
    loadSpend: store.teamSpendSince,
    breaker: breakerOptions(env),
    onBreakerTransition: (t) => store.recordEvent(breakerEvent(t)),
    recordEvent: (e) => store.recordEvent(e),
    log,
    now,
  });
  shared.onRevoked(() => store.forgetKeys());
  const gateway = createGateway(
    {
      ...shared.state,
      store,
      now,
      random: Math.random,
      requestId: randomRequestId,
      sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => {}),
      http: upstreamHttp.client,
      simulator: (req, profile) => simulator.fetch(req, profile ?? undefined),
      log,
    },
    { maxBodyBytes: env.SWITCHYARD_MAX_BODY_BYTES, globalRpm: env.SWITCHYARD_GLOBAL_RPM ?? null },
    [observeUsage],
  );

  let auth: Promise<Auth> | undefined;
  const lazyAuth = () =>
    (auth ??= createAuth(database.client, {
      secret,
      baseURL: env.SWITCHYARD_PUBLIC_URL,
      trustedOrigins: env.SWITCHYARD_PUBLIC_URL ? [new URL(env.SWITCHYARD_PUBLIC_URL).origin] : undefined,
      signIn: { ipMaxAttempts: env.SWITCHYARD_SIGNIN_IP_MAX_ATTEMPTS, windowSeconds: env.SWITCHYARD_SIGNIN_WINDOW_SECONDS },
      log,
    }));
  const signInLimiter = createAttemptLimiter({ max: env.SWITCHYARD_SIGNIN_MAX_ATTEMPTS, windowMs: env.SWITCHYARD_SIGNIN_WINDOW_SECONDS * 1000, now });
  const rollout = startRolloutLoop({ now, log, onRouteChanged: () => catalog.invalidate(), flushUsage: () => usage.flush(), leads: shared.leads });

  const runtime: Runtime = {
    env,
    log,
    secret,
    catalog,
    usage,
    gateway,
    database,
    shared,
    announceRevoked: (keyId) => shared.announceRevoked(keyId),
    auth: lazyAuth,
    signInLimiter,
    egressAllowlist,
    providerTest: { dispatcher: upstreamHttp.dispatcher, now },
    now,
    banner,
    clientStamped: false,
    setupTokenHash: null,
    verifyAdminToken: (token) => safeEqual(sha256Hex(token), tokenHash),
    async shutdown() {
      catalog.close?.();
      await rollout.stop();
      await usage.stop();
      await shared.close().catch(() => {});
      await database.close();
      await upstreamHttp.close().catch(() => {});
      delete (globalThis as Holder)[KEY];
    },
  };
  if (env.SWITCHYARD_DEMO) await database.once(() => seedDemo(runtime));
  return runtime;
}

/**
 * The process's runtime, created on first use when the custom server did not create it. Callers
 * arriving while it is being created share that one creation; a creation that fails is dropped so
 * the next caller tries again.
 */
export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  const existing = holder[KEY];
  if (existing) return existing;
  const creating = createRuntime();
  holder[KEY] = creating;
  creating.catch(() => {
    if (holder[KEY] === creating) delete holder[KEY];
  });
  return creating;
}

export function installRuntime(runtime: Runtime): void {
  (globalThis as Holder)[KEY] = Promise.resolve(runtime);
}
