// How a simulated model behaves: latency, throughput and injected faults.
import { z } from "zod";

export interface SimProfile {
  /** Time to first token, in milliseconds. */
  ttftMs: number;
  tokensPerSecond: number;
  /**
   * Tokens per streamed event. 1 is OpenAI's habit; some providers send a few tokens per event at
   * the same tokens per second, which means fewer, larger events.
   */
  tokensPerChunk: number;
  /** Probability in [0, 1] of answering 500. */
  errorRate: number;
  /** Probability in [0, 1] of answering 429. */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** Probability in [0, 1] that a response body stops half way. */
  cutRate: number;
  /** Fixed reply length in tokens; otherwise it follows from the prompt. */
  outputTokens?: number;
  seed: number;
  /** Length of an embedding when the request names no `dimensions`. */
  dimensions: number;
  /**
   * Whether a request may ask for shorter embeddings with `dimensions`, as OpenAI's
   * text-embedding-3 models do (the vector is cut and made unit length again); when false it is
   * refused with a 400, as text-embedding-ada-002 does.
   */
  acceptsDimensions: boolean;
}

export const DEFAULT_PROFILE: Readonly<SimProfile> = Object.freeze({
  ttftMs: 100,
  tokensPerSecond: 100,
  tokensPerChunk: 1,
  errorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  cutRate: 0,
  seed: 0,
  dimensions: 1536,
  acceptsDimensions: true,
});

/** Models every simulator knows, whatever else is configured. */
export const BUILTIN_PROFILES: Readonly<Record<string, Partial<SimProfile>>> = Object.freeze({
  "sim-fast": { ttftMs: 20, tokensPerSecond: 400 },
  "sim-balanced": {},
  "sim-slow": { ttftMs: 800, tokensPerSecond: 20 },
});

const rate = z.number().min(0).max(1);
// Twice OpenAI's largest (text-embedding-3-large, 3072).
const MAX_DIMENSIONS = 8192;

/** Validates a partial profile coming from users (env, admin API, settings). */
export const simProfileSchema = z
  .strictObject({
    ttftMs: z.number().min(0).max(600_000),
    tokensPerSecond: z.number().gt(0).max(1_000_000),
    tokensPerChunk: z.number().int().min(1).max(1_000),
    errorRate: rate,
    rateLimitRate: rate,
    retryAfterSeconds: z.number().min(0).max(86_400),
    cutRate: rate,
    outputTokens: z.number().int().min(0).max(100_000),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    dimensions: z.number().int().min(1).max(MAX_DIMENSIONS),
    acceptsDimensions: z.boolean(),
  })
  .partial();

/** Layers partial profiles over the defaults; later layers win, undefined values are skipped. */
export function resolveProfile(...layers: (Partial<SimProfile> | undefined)[]): SimProfile {
  const profile: SimProfile = { ...DEFAULT_PROFILE };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (profile as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return profile;
}
