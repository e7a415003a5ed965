/**
 * The whole gateway in-process, composed as the server composes it: an in-memory SQLite database
 * with the real migrations, the real store, catalog cache and usage writer, setup through the real
 * admin services, in-memory state, and only the outside world faked: the upstream (at `http`), the
 * clock, randomness and request ids. Nothing listens on a port, so a test runs in milliseconds.
 */
import OpenAI from "openai";
import { vi } from "vitest";
import { closeDb, openDb, setDb, type Db } from "@/db/client";
import { insertUsageBatch } from "@/db/queries/usage";
import { adminContext, type AdminContext } from "@/lib/admin/context";
import { createTeamKey } from "@/lib/admin/keys";
import { createModel, type ModelView } from "@/lib/admin/models";
import { createProvider, type ProviderView } from "@/lib/admin/providers";
import { createTeam, type TeamView } from "@/lib/admin/teams";
import { parseJsonBody } from "@/lib/gateway/body";
import type { BreakerOptions } from "@/lib/gateway/circuit-breaker";
import { bodyTooLarge } from "@/lib/gateway/errors";
import { fromWebRequest, toWebResponse, type GatewayRequest, type GatewayResponse } from "@/lib/gateway/exchange";
import { createGateway, type Gateway } from "@/lib/gateway/gateway";
import { inMemoryState, type InMemoryState } from "@/lib/gateway/state";
import type { Logger, ProviderSettings } from "@/lib/gateway/types";
import { createCatalogCache } from "@/lib/server/catalog";
import { databaseResponseCache } from "@/lib/server/response-cache-store";
import { breakerEvent, createStore } from "@/lib/server/store";
import { createUsageWriter, type UsageWriter } from "@/lib/usage/writer";
import { fakeUpstream, type FakeUpstream } from "./fake-upstream";

/** 2025-06-15 12:00:00 UTC: midday, mid-month, so no period rolls over unless a test moves it. */
export const START = Date.UTC(2025, 5, 15, 12, 0, 0);

/**
 * Time that moves only when told. `sleep` records the wait and moves the clock instead of waiting,
 * so retries with backoff run at once. The per-attempt clocks (first byte, idle, deadline) use
 * setTimeout: a test about them calls `useTimers()`, after which setTimeout and Date are vitest's
 * fake ones, this clock reads the fake Date, and `pass` fires each timer at its own instant.
 */
export class FakeClock {
  sleeps: number[] = [];
  /** Called as a wait begins, for a test that acts during it (a client leaving mid-backoff). */
  onSleep: ((ms: number) => void) | null = null;
  private timers = false;

  constructor(private t: number) {}

  now = (): number => (this.timers ? Date.now() : this.t);

  /** Moves the clock; no timer fires. */
  advance(ms: number): void {
    if (this.timers) vi.setSystemTime(Date.now() + ms);
    else this.t += ms;
  }

  /** Lets `ms` pass: the clock moves and, with `useTimers`, the timers due fire in order. */
  async pass(ms: number): Promise<void> {
    if (this.timers) return vi.advanceTimersByTimeAsync(ms).then(() => {});
    this.t += ms;
    await flush();
  }

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    this.onSleep?.(ms);
    if (signal?.aborted) return;
    // No attempt is running while the gateway sleeps, so no timer is skipped by jumping.
    this.advance(ms);
    await Promise.resolve();
  };

  useTimers(): void {
    vi.useFakeTimers({ now: this.t, toFake: ["setTimeout", "clearTimeout", "Date"] });
    this.timers = true;
  }

  restore(): void {
    if (!this.timers) return;
    this.t = Date.now();
    this.timers = false;
    vi.useRealTimers();
  }
}

/** Lets every pending promise reaction and I/O callback run. */
export const flush = () => new Promise<void>((r) => setImmediate(r));

/** Lets the event loop turn until `check` holds; fails after a bounded number of turns. */
export async function until(check: () => boolean, what = "the condition"): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return;
    await flush();
  }
  throw new Error(`${what} never came about`);
}

/** mulberry32: a small seeded generator, so jittered backoff is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LogLine {
  level: keyof Logger;
  msg: string;
  fields?: Record<string, unknown>;
}

export interface HarnessOptions {
  breaker?: Partial<BreakerOptions>;
  /** The clock's first reading (epoch ms); START by default. */
  start?: number;
  /** Seeds `random` (backoff jitter, split positions). */
  seed?: number;
  /** The response cache's size cap; the cache is the server's, in the database. */
  cacheMaxBytes?: number;
}

/** A usage row as the database holds it (snake_case columns, booleans as 0/1). */
export type UsageRow = Record<string, any>;

export interface Harness {
  gateway: Gateway<InMemoryState>;
  clock: FakeClock;
  upstream: FakeUpstream;
  admin: AdminContext;
  db: Db;
  usage: UsageWriter;
  /** What the gateway logged; `close` fails the test on an error line (an internal fault). */
  logs: LogLine[];
  /** A provider for one upstream model: its own settings, so tests can vary them per target. */
  provider(settings?: Partial<ProviderSettings>, apiKey?: string | null): Promise<ProviderView>;
  /** A model whose upstream model name is its own name. */
  model(name: string, input?: Record<string, unknown>): Promise<ModelView>;
  team(input?: Record<string, unknown>): Promise<TeamView>;
  /** A new API key of a team, in clear. */
  key(teamId: string): Promise<string>;
  /** POST /v1/chat/completions with this key and body, merged over a one-message request. */
  chat(key: string, body?: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<GatewayResponse>;
  /** POST /v1/embeddings with this key and body, merged over a one-string request. */
  embeddings(key: string, body?: Record<string, unknown>): Promise<GatewayResponse>;
  /** POST /v1/responses with this key and body, merged over a one-line input. */
  responses(key: string, body?: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<GatewayResponse>;
  /** The official `openai` client talking to this gateway in-process (its fetch calls the gateway's doors). */
  client(key: string): OpenAI;
  /** Usage rows, oldest first, after flushing what is queued. */
  rows(): Promise<UsageRow[]>;
  /** Events of a type, oldest first, with `data` parsed. */
  events(type: string): Array<Record<string, any>>;
  close(): Promise<void>;
}

/** The key every provider is given unless a test says otherwise; it must never reach a client. */
export const UPSTREAM_KEY = "sk-upstream-secret-key-0123456789";

export const USER_MESSAGE = [{ role: "user", content: "hello" }];

let names = 0;

export function createHarness(opts: HarnessOptions = {}): Harness {
  const db = openDb(":memory:");
  setDb(db);
  const clock = new FakeClock(opts.start ?? START);
  const upstream = fakeUpstream();
  const logs: LogLine[] = [];
  const log: Logger = {
    debug: (msg, fields) => void logs.push({ level: "debug", msg, fields }),
    info: (msg, fields) => void logs.push({ level: "info", msg, fields }),
    warn: (msg, fields) => void logs.push({ level: "warn", msg, fields }),
    error: (msg, fields) => void logs.push({ level: "error", msg, fields }),
  };
  const secret = "test-secret";
  const catalog = createCatalogCache(secret);
  // Flushed on demand: the timer never runs within a test.
  const usage = createUsageWriter({ insert: insertUsageBatch, flushMs: 3_600_000, log });
  const store = createStore(catalog, usage, clock.now, log);
  const state = inMemoryState({ loadSpend: store.teamSpendSince, breaker: opts.breaker, onBreakerTransition: (t) => store.recordEvent(breakerEvent(t)) });
  let ids = 0;
  const gateway = createGateway(
    {
      ...state,
      cache: databaseResponseCache(opts.cacheMaxBytes ?? 64 * 1024 * 1024, log),
      store,
      now: clock.now,
      sleep: clock.sleep,
      random: seededRandom(opts.seed ?? 1),
      requestId: () => `req_${String(++ids).padStart(4, "0")}`,
      http: upstream.client,
      simulator: async () => {
        throw new Error("the simulator is not used in these tests");
      },
      log,
    },
    { maxBodyBytes: 1024 * 1024, globalRpm: null },
  );
  const admin = adminContext({ secret, now: clock.now, catalog, gateway, usage });
  const provider = (settings: Partial<ProviderSettings> = {}, apiKey: string | null = UPSTREAM_KEY) => {
    const n = ++names;
    return createProvider(admin, { name: `provider-${n}`, kind: "openai-compatible", baseUrl: `http://upstream-${n}.test/v1`, apiKey, settings });
  };

  return {
    gateway,
    clock,
    upstream,
    admin,
    db,
    usage,
    logs,
    provider,
    async model(name, input = {}) {
      const providerId = (input.providerId as string | undefined) ?? (await provider()).id;
      return createModel(admin, { name, upstreamModel: name, inputPricePerMTok: 2.5, outputPricePerMTok: 10, ...input, providerId });
    },
    team(input = {}) {
      return createTeam(admin, { name: `team-${++names}`, ...input });
    },
    async key(teamId) {
      return (await createTeamKey(admin, teamId, { name: "test key" })).key;
    },
    chat(key, body = {}, { signal } = {}) {
      return gateway.chatCompletions(gatewayRequest({ model: "primary", messages: USER_MESSAGE, ...body }, { key, signal }));
    },
    embeddings(key, body = {}) {
      return gateway.embeddings(gatewayRequest({ model: "primary", input: "hello", ...body }, { key }));
    },
    responses(key, body = {}, { signal } = {}) {
      return gateway.responses(gatewayRequest({ model: "primary", input: "hello", ...body }, { key, signal }));
    },
    client(key) {
      const doors: Record<string, (req: GatewayRequest) => Promise<GatewayResponse>> = {
        "/v1/chat/completions": (r) => gateway.chatCompletions(r),
        "/v1/responses": (r) => gateway.responses(r),
        "/v1/embeddings": (r) => gateway.embeddings(r),
      };
      const fetch = async (url: string | URL | Request, init?: RequestInit) => {
        const request = new Request(url, init);
        const door = doors[new URL(request.url).pathname];
        if (!door) return new Response(JSON.stringify({ error: { message: "no such door in this test" } }), { status: 404 });
        return toWebResponse(await door(fromWebRequest(request)));
      };
      return new OpenAI({ baseURL: "http://switchyard.test/v1", apiKey: key, maxRetries: 0, fetch });
    },
    async rows() {
      await usage.flush();
      return db.$client.prepare("select * from usage order by id").all() as UsageRow[];
    },
    events(type) {
      const rows = db.$client.prepare("select * from events where type = ? order by id").all(type) as Array<Record<string, any>>;
      return rows.map((r) => ({ ...r, data: JSON.parse(r.data as string) }));
    },
    async close() {
      clock.restore();
      await usage.stop();
      closeDb();
      const errors = logs.filter((l) => l.level === "error");
      if (errors.length > 0) throw new Error(`the gateway logged errors: ${JSON.stringify(errors)}`);
    },
  };
}

/** A request as a door hands it to the gateway. */
export function gatewayRequest(body: unknown, opts: { key?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {}): GatewayRequest {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const headers = new Headers({ "content-type": "application/json", ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers });
  return {
    headers,
    async json(limit) {
      if (Buffer.byteLength(text) > limit) throw bodyTooLarge(limit);
      return parseJsonBody(text);
    },
    signal: opts.signal ?? new AbortController().signal,
  };
}

/** The JSON body of a non-stream answer. */
export function jsonOf(res: GatewayResponse): Record<string, any> {
  if (!("body" in res)) throw new Error(`expected a JSON answer, got a stream (status ${res.status})`);
  return JSON.parse(res.body) as Record<string, any>;
}

/** Everything a streamed answer sends, read as a client would until it ends. */
export async function readStream(res: GatewayResponse): Promise<string> {
  if (!("stream" in res)) throw new Error(`expected a stream, got ${res.status}: ${res.body}`);
  let text = "";
  for (let piece = await res.stream.next(); piece !== null; piece = await res.stream.next()) text += piece;
  return text;
}

/** The `data:` payloads of SSE text, in order. */
export function sseData(text: string): string[] {
  return text
    .split("\n\n")
    .map((block) => block.trim())
    .filter((block) => block.startsWith("data:"))
    .map((block) => block.slice("data:".length).trim());
}

/** The content the chunks of SSE text carry, joined. */
export function streamedContent(text: string): string {
  return sseData(text)
    .filter((d) => d !== "[DONE]")
    .map((d) => JSON.parse(d) as { choices?: Array<{ delta?: { content?: string } }> })
    .map((c) => (c.choices ?? []).map((ch) => ch.delta?.content ?? "").join(""))
    .join("");
}

/** The error object of the last event of SSE text, or null when it ended otherwise. */
export function streamError(text: string): Record<string, any> | null {
  const last = sseData(text).at(-1);
  if (!last || last === "[DONE]") return null;
  return (JSON.parse(last) as { error?: Record<string, any> }).error ?? null;
}
