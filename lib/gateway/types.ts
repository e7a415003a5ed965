/** Shapes the gateway core works with. The server builds them from the database; tests build them by hand. */
import type { Capability } from "./endpoints/types";
import type { MaxTokensField } from "./output-ceiling";
import type { ProviderKind } from "./providers/kinds";
import type { UpstreamClient } from "./providers/transport";
import type { ResponseCacheSetting } from "./response-cache";
import type { GatewayState } from "./state";

export type { ProviderKind } from "./providers/kinds";

export interface ProviderSettings {
  /** Attempts per provider for one request, the first included. */
  maxAttempts: number;
  /** Connect + response headers + first stream event. */
  firstByteTimeoutMs: number;
  /** Longest gap between two stream events. */
  idleTimeoutMs: number;
  /** Whole request, all attempts and fallbacks included. */
  totalTimeoutMs: number;
  /** Longest upstream Retry-After the gateway will sleep for before failing over. */
  maxRetryAfterMs: number;
  /**
   * The provider serves OpenAI's Responses API at {base}/responses: /v1/responses requests pass
   * through to it as they are instead of being translated to chat completions.
   */
  responsesApi: boolean;
}

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = {
  maxAttempts: 3,
  firstByteTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  totalTimeoutMs: 600_000,
  maxRetryAfterMs: 30_000,
  responsesApi: false,
};

export interface ProviderConfig {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string | null;
  /** Decrypted, only in memory. */
  apiKey: string | null;
  settings: ProviderSettings;
  /** Why the egress policy forbids calling this provider, or null when it may be called. */
  egressDenied: string | null;
}

export interface ModelConfig {
  id: string;
  name: string;
  providerId: string;
  upstreamModel: string;
  inputMicrosPerMTok: number;
  outputMicrosPerMTok: number;
  maxOutputTokens: number | null;
  /** The output-limit field(s) its upstream accepts. */
  maxTokensField: MaxTokensField;
  rpmLimit: number | null;
  tpmLimit: number | null;
  fallbacks: string[];
  /** What the model serves: a request to an endpoint needing something else is refused. */
  endpoints: Capability[];
  simulator: Record<string, unknown> | null;
  createdAt: number;
}

export type StickyBy = "auto" | "conversation" | "user" | "key" | "request";

/** A route alias splitting traffic between a control and a candidate model. */
export interface RouteConfig {
  id: string;
  name: string;
  seed: string;
  status: "running" | "paused" | "rolled_back" | "promoted";
  controlModel: string;
  candidateModel: string | null;
  /** Percent, 0–100. */
  candidateWeight: number;
  stickyBy: StickyBy;
  createdAt: number;
}

/** Everything resolution needs, rebuilt when an admin changes providers, models or routes. */
export interface Catalog {
  models: Map<string, ModelConfig>;
  providers: Map<string, ProviderConfig>;
  routes: Map<string, RouteConfig>;
}

export interface TeamLimits {
  id: string;
  name: string;
  rpmLimit: number | null;
  tpmLimit: number | null;
  dailyBudgetMicros: number | null;
  monthlyBudgetMicros: number | null;
  alertThresholdPct: number;
  /** Model and route names the team may use; null means all. */
  allowedModels: string[] | null;
  /** The exact-match response cache; null means off. */
  responseCache: ResponseCacheSetting | null;
}

export interface Caller {
  team: TeamLimits;
  keyId: string | null;
  keyRpmLimit: number | null;
  userId: string | null;
}

export type UsageStatus = "ok" | "error" | "rate_limited" | "budget_exceeded" | "aborted" | "rejected";

export interface UsageRecord {
  requestId: string;
  /** The door endpoint: chat, embeddings, responses. */
  endpoint: string;
  createdAt: number;
  teamId: string | null;
  keyId: string | null;
  userId: string | null;
  routeId: string | null;
  variant: string | null;
  stickyKey: string | null;
  requestedModel: string | null;
  servedModel: string | null;
  providerId: string | null;
  attempts: number;
  fallbackUsed: boolean;
  stream: boolean;
  status: UsageStatus;
  httpStatus: number;
  errorType: string | null;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  latencyMs: number;
  ttftMs: number | null;
  /** From arrival to the first upstream attempt; null when none was made. */
  queueMs: number | null;
  /** From arrival to the answering upstream's response headers; null when none answered. */
  firstByteMs: number | null;
  /** "hit" or "miss" when the team's response cache is on, else null. */
  cache: "hit" | "miss" | null;
  /** On a hit, what the answer cost when it was made. */
  savedMicros: number;
}

export interface GatewayEvent {
  type: string;
  subjectType: string;
  subjectId: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A key that exists but has passed its expiry: refused like an unknown one, with its own message. */
export interface ExpiredKey {
  expiredAt: number;
  /** It expired as the end of a rotation's grace period: a newer key took its place. */
  rotated?: boolean;
}

/** A value, or a promise of it: in-memory implementations answer at once, shared ones over the network. */
export type MaybePromise<T> = T | Promise<T>;

/** What the gateway reads and writes; implemented over SQLite or Postgres by the server. */
export interface GatewayStore {
  /** The caller a live key authenticates as; null for an unknown or revoked key. */
  callerForKeyHash(hash: string): MaybePromise<Caller | ExpiredKey | null>;
  catalog(): MaybePromise<Catalog>;
  /** Settled spend of a team since an instant, from the usage table. */
  teamSpendSince(teamId: string, sinceMs: number): MaybePromise<number>;
  /** Queued: written behind the request, never failing it. */
  recordUsage(row: UsageRecord): void;
  /** Written behind the caller; a failure is logged, never thrown. */
  recordEvent(event: GatewayEvent): void;
}

export interface GatewayDeps extends GatewayState {
  store: GatewayStore;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** A new request id. */
  requestId(): string;
  /** The network client for openai-compatible providers. */
  http: UpstreamClient;
  /** The in-process simulator, called with the model's simulator settings. */
  simulator: (request: Request, profile: Record<string, unknown> | null) => Promise<Response>;
  log: Logger;
}

export interface GatewayOptions {
  maxBodyBytes: number;
  globalRpm: number | null;
}
