/**
 * Lua scripts run by hash: EVALSHA, and EVAL once when Redis answers NOSCRIPT (a restarted Redis
 * has an empty script cache), so each call is still one round trip in the common case.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface Scripts<N extends string> {
  run(redis: Redis, name: N, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

export function defineScripts<N extends string>(sources: Record<N, string>): Scripts<N> {
  const shas = new Map<string, string>();
  for (const [name, src] of Object.entries(sources) as [N, string][]) {
    shas.set(name, createHash("sha1").update(src).digest("hex"));
  }
  return {
    async run(redis, name, keys, args) {
      const sha = shas.get(name)!;
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
        return redis.eval(sources[name], keys.length, ...keys, ...args);
      }
    },
  };
}
