/** The shared-state settings, as lib/env.ts parses them. Without REDIS_URL every instance keeps its state in memory. */
import { parseEnv, type Env } from "@/lib/env";

export interface RedisEnv {
  url: string | null;
  onUnavailable: "refuse" | "local";
  prefix: string;
}

export function redisEnv(env: Env): RedisEnv {
  return { url: env.REDIS_URL ?? null, onUnavailable: env.SWITCHYARD_REDIS_UNAVAILABLE, prefix: env.SWITCHYARD_REDIS_PREFIX };
}

/** Empty values count as unset, as in lib/env.ts. */
export function parseRedisEnv(source: Record<string, string | undefined> = process.env): RedisEnv {
  return redisEnv(parseEnv(source));
}
