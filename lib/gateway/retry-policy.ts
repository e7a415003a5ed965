// When and how long to wait before retrying an upstream call. The caller owns the loop, the
// deadline and the sleeping; this module only answers "retry?" and "after how long?".
import type { HeaderLookup } from "./providers/transport";

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 8000 };

/** 408/409/429 and every 5xx are worth another attempt; other 4xx would fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;
// Date.parse accepts almost anything ("1" is the year 2001), so only HTTP-date shapes go to it:
// IMF-fixdate, RFC 850 and asctime all start with a day name and carry an hh:mm:ss time.
const HTTP_DATE = /^[A-Za-z]{3,9},?\s.*\b\d{1,2}:\d{2}:\d{2}\b/;

/**
 * The upstream's requested wait in ms, or null when it gave none we can read.
 * `retry-after-ms` (OpenAI, Azure) is preferred because it is more precise than `retry-after`.
 */
export function parseRetryAfter(headers: HeaderLookup, now: number): number | null {
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const ra = headers.get("retry-after")?.trim();
  if (!ra) return null;
  if (DELTA_SECONDS.test(ra)) return Number(ra) * 1000;
  if (!HTTP_DATE.test(ra)) return null;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  random: () => number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const exp = Math.max(0, attempt - 1);
  return random() * Math.min(opts.maxMs, opts.baseMs * 2 ** exp);
}

export interface RetryDelay {
  delayMs: number;
  source: "retry-after" | "backoff";
}

/**
 * The wait before retry number `attempt` (1-based). An upstream's Retry-After is returned as is,
 * even when long: the caller compares it with its deadline and fails over instead of waiting.
 */
export function nextRetryDelay(args: {
  attempt: number;
  headers: HeaderLookup | null;
  now: number;
  random: () => number;
  backoff?: BackoffOptions;
}): RetryDelay {
  const upstream = args.headers ? parseRetryAfter(args.headers, args.now) : null;
  if (upstream !== null) return { delayMs: upstream, source: "retry-after" };
  return { delayMs: backoffDelay(args.attempt, args.random, args.backoff), source: "backoff" };
}
