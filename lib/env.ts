import { z } from "zod";

// A flag is on unless it says otherwise; || (not ??) so empty strings fall back to defaults.
const flag = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? !["0", "false", "off", "no"].includes(v.trim().toLowerCase()) : def));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOSTNAME: z.string().default("0.0.0.0"),
  DATABASE_PATH: z.string().default("./data/switchyard.db"),
  /** postgres://… selects Postgres instead of the SQLite file at DATABASE_PATH. */
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must start with postgres:// or postgresql://")
    .optional(),
  /** redis://… keeps limits, budget holds, breakers, rollout leadership and the cache where every instance sees them. */
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), "must start with redis:// or rediss://")
    .optional(),
  /** While Redis is unreachable: `refuse` (503 with Retry-After) or `local` (per-instance limits; capped teams still refused). */
  SWITCHYARD_REDIS_UNAVAILABLE: z.enum(["refuse", "local"]).default("refuse"),
  /** Key prefix, so several deployments (or tests) can share one Redis. */
  SWITCHYARD_REDIS_PREFIX: z.string().default("switchyard:"),
  /** Names this instance in rollout leases and logs; random when unset. */
  SWITCHYARD_INSTANCE_ID: z.string().min(1).optional(),
  SWITCHYARD_ADMIN_TOKEN: z.string().min(16).optional(),
  SWITCHYARD_SECRET: z.string().min(16).optional(),
  SWITCHYARD_DEMO: flag(true),
  /** Every request body, on every route; 413 above it before anything parses the body. */
  SWITCHYARD_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** One chat message as stored (its parts as JSON); a longer one is refused before anything is kept. */
  SWITCHYARD_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(256 * 1024),
  /** Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-For names the client. */
  SWITCHYARD_TRUSTED_PROXIES: z.string().optional(),
  // Sign-in attempts: per account (the email tried, from any address) and per client address.
  SWITCHYARD_SIGNIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  SWITCHYARD_SIGNIN_IP_MAX_ATTEMPTS: z.coerce.number().int().positive().default(20),
  SWITCHYARD_SIGNIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  SWITCHYARD_USAGE_FLUSH_MS: z.coerce.number().int().positive().default(200),
  /** Where usage rows wait on local disk until their batch is committed; default: usage-journal beside DATABASE_PATH. One per instance. */
  SWITCHYARD_USAGE_JOURNAL_DIR: z.string().optional(),
  /** The response cache's size cap in the database, in bytes of stored answers. */
  SWITCHYARD_CACHE_MAX_BYTES: z.coerce.number().int().positive().default(256 * 1024 * 1024),
  SWITCHYARD_GLOBAL_RPM: z.coerce.number().int().positive().optional(),
  SWITCHYARD_ADMIN_EMAIL: z.email().optional(),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** The URL people open, e.g. https://llm.example.com; sign-in cookies are Secure when it is https. */
  SWITCHYARD_PUBLIC_URL: z.url().optional(),
  /** Comma-separated hosts provider base URLs may use, e.g. "api.openai.com,*.openrouter.ai,localhost:11434". */
  SWITCHYARD_PROVIDER_ALLOWLIST: z.string().optional(),
  /** When set, GET /metrics requires it (or the admin token) as a bearer token. */
  SWITCHYARD_METRICS_TOKEN: z.string().min(1).optional(),
  SWITCHYARD_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Circuit-breaker overrides, mainly so fault tests need not wait out the 30 s default cool-down.
  SWITCHYARD_BREAKER_OPEN_MS: z.coerce.number().int().positive().optional(),
  SWITCHYARD_BREAKER_MIN_REQUESTS: z.coerce.number().int().positive().optional(),
});

export type Env = z.infer<typeof schema>;

/** Parses the environment once; empty (or blank) values count as unset. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${issues}`);
  }
  return result.data;
}
