/**
 * The shared-state settings, parsed like lib/env.ts. Kept apart until the gateway is wired to
 * them. Without REDIS_URL every instance keeps its state in memory.
 */
import { z } from "zod";

const schema = z.object({
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), "must start with redis:// or rediss://")
    .optional(),
  /** While Redis is unreachable: `refuse` (503 with Retry-After) or `local` (per-instance state). */
  SWITCHYARD_REDIS_UNAVAILABLE: z.enum(["refuse", "local"]).default("refuse"),
  /** Key prefix, so several gateways (or tests) can share one Redis. */
  SWITCHYARD_REDIS_PREFIX: z.string().default("switchyard:"),
});

export interface RedisEnv {
  url: string | null;
  onUnavailable: "refuse" | "local";
  prefix: string;
}

/** Empty values count as unset, as in lib/env.ts. */
export function parseRedisEnv(source: Record<string, string | undefined> = process.env): RedisEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${issues}`);
  }
  const env = result.data;
  return { url: env.REDIS_URL ?? null, onUnavailable: env.SWITCHYARD_REDIS_UNAVAILABLE, prefix: env.SWITCHYARD_REDIS_PREFIX };
}
