/**
 * Leadership per route: a lease in Redis held by one instance at a time, so exactly one evaluates
 * and acts on each route. The holder renews it well inside its term; a holder that stops renewing
 * (crashed, cut off) loses it when the term ends and another instance takes over. Every acquisition
 * gets a new fencing token, so a stale holder's late action can be told apart from the new one's.
 */
import type { Redis } from "ioredis";
import { defineScripts } from "./scripts";

// The lease's end is kept in the caller's clock (as all gateway state is) and Redis also expires
// the key after the term, whichever comes first. Value: holder, expiresAt, token.
const ACQUIRE = `
local h = redis.call('HMGET', KEYS[1], 'holder', 'expires_at', 'token')
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
if h[1] and h[1] ~= ARGV[1] and tonumber(h[2]) > now then return {0, h[1], tonumber(h[2]), tonumber(h[3])} end
local token = tonumber(h[3])
if h[1] ~= ARGV[1] or tonumber(h[2]) <= now then token = redis.call('INCR', KEYS[2]) end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'expires_at', now + ttl, 'token', token)
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, ARGV[1], now + ttl, token}
`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface LeaseState {
  /** This instance holds it now. */
  held: boolean;
  holder: string | null;
  expiresAt: number | null;
  /** Grows by one on every change of holder (or a holder's lapse and return). */
  token: number | null;
}

export class RedisLeases {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly scripts = defineScripts({ acquire: ACQUIRE, release: RELEASE });

  constructor(
    private readonly redis: Redis,
    private readonly holderId: string,
    opts: { prefix?: string; ttlMs?: number } = {},
  ) {
    this.prefix = opts.prefix ?? "switchyard:";
    this.ttlMs = opts.ttlMs ?? 15_000;
  }

  /** Takes the lease if it is free or lapsed, renews it if this instance holds it. */
  async acquire(name: string, now: number): Promise<LeaseState> {
    const keys = [this.key(name), `${this.key(name)}:token`];
    const [got, holder, expiresAt, token] = (await this.scripts.run(this.redis, "acquire", keys, [this.holderId, now, this.ttlMs])) as [
      number,
      string,
      number,
      number,
    ];
    return { held: got === 1, holder, expiresAt, token };
  }

  /** Renewing is acquiring again: it fails, and says who holds it, once the lease went elsewhere. */
  renew(name: string, now: number): Promise<LeaseState> {
    return this.acquire(name, now);
  }

  /** Gives the lease up at once (shutting down), only if this instance still holds it. */
  async release(name: string): Promise<boolean> {
    return (await this.scripts.run(this.redis, "release", [this.key(name)], [this.holderId])) === 1;
  }

  async holder(name: string, now: number): Promise<string | null> {
    const [holder, expiresAt] = await this.redis.hmget(this.key(name), "holder", "expires_at");
    return holder && Number(expiresAt) > now ? holder : null;
  }

  private key(name: string): string {
    return `${this.prefix}lease:${name}`;
  }
}
