/**
 * The exact-match response cache: which requests may be answered from it, their key, and the entry
 * an answer becomes. Entries hold the answer as the gateway's events, so a streamed request can be
 * answered from a cached whole answer and the reverse, in any endpoint's format.
 */
import { createHash } from "node:crypto";
import type { CallPlan } from "./endpoints/types";
import type { ChatEvent, Frame } from "./providers/types";
import type { MaybePromise } from "./types";

export type CacheMode = "off" | "deterministic" | "all";

export interface ResponseCacheSetting {
  mode: CacheMode;
  ttlSeconds: number;
}

export interface CacheEntry {
  answer: Frame;
  /** The model that served it. */
  model: string;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
}

/** Where entries are kept; the server's is a table with a size cap. */
export interface ResponseCache {
  /** `teamId` is the key's team: a shared cache keeps each team's entries apart. */
  get(key: string, teamId: string, now: number): MaybePromise<CacheEntry | null>;
  /** Stored behind the answer: a failure is the cache's to log, never the request's. */
  put(key: string, teamId: string, entry: CacheEntry, expiresAt: number, now: number): MaybePromise<void>;
}

/** Per request, `x-switchyard-cache`: `off` skips the cache, `refresh` asks upstream and stores the answer. */
export type CacheDirective = "use" | "off" | "refresh";

export function cacheDirective(header: string | null): CacheDirective {
  const v = header?.trim().toLowerCase();
  return v === "off" || v === "refresh" ? v : "use";
}

// Fields that never change the answer: how it is delivered, and who asked.
const IGNORED_FIELDS = new Set(["stream", "stream_options", "user", "metadata", "store", "model"]);

/** JSON with object keys sorted at every depth, so equal requests serialise equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Whether a request may be answered from (and stored in) the cache under the team's mode. */
export function isCacheable(setting: ResponseCacheSetting | null, plan: CallPlan): boolean {
  if (!setting || setting.mode === "off" || setting.ttlSeconds <= 0) return false;
  // Embeddings are the same for the same input whatever the mode.
  if (setting.mode === "all" || plan.operation === "embeddings") return true;
  const body = plan.body;
  // Sampling at temperature 0, or a fixed seed, asks for the same answer each time.
  return body.temperature === 0 || typeof body.seed === "number";
}

export function cacheKey(teamId: string, model: string, plan: CallPlan): string {
  const request = Object.fromEntries(Object.entries(plan.body).filter(([k]) => !IGNORED_FIELDS.has(k)));
  return createHash("sha256").update(`${teamId}\n${model}\n${plan.operation}\n${canonical(request)}`).digest("hex");
}

/**
 * A whole answer's events from a stream's: consecutive text of one choice and kind joined, a tool
 * call's argument pieces joined, so an entry is a few events however many chunks it came in.
 */
export function compactEvents(events: readonly ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.type === "delta" && last?.type === "delta" && last.choice === e.choice && last.kind === e.kind) {
      out[out.length - 1] = { ...last, text: last.text + e.text };
    } else if (e.type === "tool-call" && last?.type === "tool-call" && last.choice === e.choice && last.index === e.index && !e.id) {
      out[out.length - 1] = { ...last, arguments: last.arguments + e.arguments, ...(e.name && !last.name ? { name: e.name } : {}) };
    } else if (e.type !== "error") out.push(e);
  }
  return out;
}
