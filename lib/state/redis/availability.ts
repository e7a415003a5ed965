/**
 * What the gateway does while Redis cannot be reached, as the operator chose: `refuse` answers
 * 503 with Retry-After (shared limits and budgets cannot be honoured, so nothing is let through),
 * or `local` falls back to this instance's own in-memory state and records one event per outage.
 * ioredis reconnects by itself; the first successful reconnection ends the outage.
 */
import { ReplyError, type Redis, type RedisOptions } from "ioredis";
import { GatewayError } from "@/lib/gateway/errors";

export type UnavailableMode = "refuse" | "local";

export interface StateEvent {
  type: "redis_unavailable" | "redis_recovered";
  at: number;
  mode: UnavailableMode;
  /** Why it was judged unreachable (the first error of the outage). */
  reason?: string;
}

/** The 503 the gateway returns while shared state is unreachable in `refuse` mode. */
export class StateUnavailableError extends GatewayError {
  constructor(retryAfterSeconds: number) {
    super(503, "The gateway's shared state is unreachable; try again shortly.", {
      type: "server_error",
      code: "state_unavailable",
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

/**
 * Connection options for every client: commands fail at once while disconnected (no offline queue,
 * so a request never waits on an outage), a slow Redis times out, reconnection backs off to 2 s.
 */
export function redisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    ...overrides,
  };
}

export class Availability {
  private outage: StateEvent | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly opts: {
      mode: UnavailableMode;
      retryAfterSeconds?: number;
      now?: () => number;
      onEvent?: (e: StateEvent) => void;
      /** Called once Redis is back after an outage, before the event is recorded. */
      onRecovered?: () => void | Promise<void>;
    },
  ) {
    redis.on("ready", () => void this.recovered());
  }

  get mode(): UnavailableMode {
    return this.opts.mode;
  }

  /** An outage is under way: Redis was found unreachable and has not come back yet. */
  get inOutage(): boolean {
    return this.outage !== null;
  }

  /**
   * Runs `remote` against Redis; if Redis cannot be reached, refuses (503) or runs `local`.
   * An error Redis itself answered (a script bug, wrong type) is not an outage and is thrown.
   */
  async run<T>(remote: () => Promise<T>, local: () => T | Promise<T>): Promise<T> {
    if (this.redis.status !== "ready") return this.unavailable(`connection ${this.redis.status}`, local);
    try {
      const result = await remote();
      // A Redis that froze and thawed never drops the connection, so no "ready" event ends it.
      if (this.outage) void this.recovered();
      return result;
    } catch (err) {
      if (err instanceof ReplyError) throw err;
      return this.unavailable(err instanceof Error ? err.message : String(err), local);
    }
  }

  /** The refusal for this outage, for callers that have no local fallback at all. */
  refusal(): StateUnavailableError {
    return new StateUnavailableError(this.opts.retryAfterSeconds ?? 1);
  }

  /**
   * Records that a call which has its own way to cope (e.g. a settle kept for later) could not
   * reach Redis; the outage ends, and the recovery hook runs, on the next call that does.
   */
  noteFailure(err: unknown): void {
    if (err instanceof ReplyError) throw err;
    this.begin(err instanceof Error ? err.message : String(err));
  }

  private begin(reason: string): void {
    if (this.outage) return;
    this.outage = { type: "redis_unavailable", at: this.now(), mode: this.opts.mode, reason };
    this.opts.onEvent?.(this.outage);
  }

  private unavailable<T>(reason: string, local: () => T | Promise<T>): T | Promise<T> {
    this.begin(reason);
    if (this.opts.mode === "refuse") throw this.refusal();
    return local();
  }

  private async recovered(): Promise<void> {
    if (!this.outage) return;
    this.outage = null;
    await this.opts.onRecovered?.();
    this.opts.onEvent?.({ type: "redis_recovered", at: this.now(), mode: this.opts.mode });
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
