/**
 * The response cache shared by every instance. Entries live under team-scoped keys, so one team's
 * answers are never another's even if two requests hash alike; Redis drops them at their TTL, and a
 * size cap (bytes of stored entries, across all teams) evicts the least recently used first.
 */
import type { Redis } from "ioredis";
import type { CacheEntry } from "@/lib/gateway/response-cache";
import { defineScripts } from "./scripts";

// KEYS: entry, lru (zset of entry keys by last use), sizes (hash entry → bytes), total bytes.
const FORGET = `
local function forget(member)
  local size = redis.call('HGET', KEYS[3], member)
  if size then redis.call('DECRBY', KEYS[4], size) end
  redis.call('HDEL', KEYS[3], member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('DEL', member)
end
`;

/** ARGV: value, bytes, ttlMs, now, maxBytes. */
const PUT = `${FORGET}
local size, max = tonumber(ARGV[2]), tonumber(ARGV[5])
if size > max then return 0 end
forget(KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('HSET', KEYS[3], KEYS[1], size)
redis.call('ZADD', KEYS[2], ARGV[4], KEYS[1])
local total = redis.call('INCRBY', KEYS[4], size)
while total > max do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  forget(oldest)
  total = tonumber(redis.call('GET', KEYS[4]))
end
return 1
`;

/** ARGV: now. The stored value starts with its expiry in the caller's clock and a newline. */
const GET = `${FORGET}
local v = redis.call('GET', KEYS[1])
if not v then
  -- Redis expired it: its bytes leave the total now.
  if redis.call('HEXISTS', KEYS[3], KEYS[1]) == 1 then forget(KEYS[1]) end
  return false
end
local nl = string.find(v, '\\n', 1, true)
if tonumber(string.sub(v, 1, nl - 1)) <= tonumber(ARGV[1]) then
  forget(KEYS[1])
  return false
end
redis.call('ZADD', KEYS[2], ARGV[1], KEYS[1])
return string.sub(v, nl + 1)
`;

export class RedisResponseCache {
  private readonly prefix: string;
  private readonly scripts = defineScripts({ put: PUT, get: GET });

  constructor(
    private readonly redis: Redis,
    private readonly maxBytes: number,
    opts: { prefix?: string } = {},
  ) {
    this.prefix = opts.prefix ?? "switchyard:";
  }

  async get(teamId: string, key: string, now: number): Promise<CacheEntry | null> {
    const v = (await this.scripts.run(this.redis, "get", this.keys(teamId, key), [now])) as string | null;
    return v === null ? null : (JSON.parse(v) as CacheEntry);
  }

  /** Stores an answer until `expiresAt`; one larger than the whole cap is not stored. */
  async put(key: string, teamId: string, entry: CacheEntry, expiresAt: number, now: number): Promise<boolean> {
    if (expiresAt <= now) return false;
    const json = JSON.stringify(entry);
    const args = [`${expiresAt}\n${json}`, Buffer.byteLength(json), expiresAt - now, now, this.maxBytes];
    return (await this.scripts.run(this.redis, "put", this.keys(teamId, key), args)) === 1;
  }

  /** Bytes of entries currently counted against the cap. */
  async size(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}cache:bytes`)) ?? 0);
  }

  private keys(teamId: string, key: string): string[] {
    const p = `${this.prefix}cache:`;
    return [`${p}{${teamId}}:${key}`, `${p}lru`, `${p}sizes`, `${p}bytes`];
  }
}
