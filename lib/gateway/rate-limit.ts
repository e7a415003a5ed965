// Token buckets with continuous refill for the RPM/TPM limits of step 4 (admit), checked
// all-or-nothing across every limit a request falls under.

// A bucket's fill is kept in units of 1/60 000 token: refilling R tokens per minute then adds
// exactly R units per millisecond, so integer limits give exact integer arithmetic (no drift, and
// msUntil() is the precise instant a take() starts to succeed).
const UNITS_PER_TOKEN = 60_000;

export class TokenBucket {
  private capacity: number;
  private rate: number; // units per ms, numerically equal to tokens per minute
  private level: number; // units
  private updatedAt: number;

  constructor(capacity: number, refillPerMinute: number, now: number) {
    this.capacity = capacity;
    this.rate = refillPerMinute;
    this.level = capacity * UNITS_PER_TOKEN;
    this.updatedAt = now;
  }

  get limit(): number {
    return this.capacity;
  }

  available(now: number): number {
    this.refill(now);
    return this.level / UNITS_PER_TOKEN;
  }

  take(n: number, now: number): boolean {
    this.refill(now);
    const need = n * UNITS_PER_TOKEN;
    if (this.level < need) return false;
    this.level -= need;
    return true;
  }

  /** Gives tokens back, never above capacity. */
  refund(n: number, now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity * UNITS_PER_TOKEN, this.level + n * UNITS_PER_TOKEN);
  }

  /** Takes tokens unconditionally (usage above the estimate), flooring at empty rather than debt. */
  charge(n: number, now: number): void {
    this.refill(now);
    this.level = Math.max(0, this.level - n * UNITS_PER_TOKEN);
  }

  /**
   * Ms until n tokens are available. A request larger than the bucket can never fit, so for
   * n > capacity this is the time to a full bucket: a finite, meaningful Retry-After.
   */
  msUntil(n: number, now: number): number {
    this.refill(now);
    const target = Math.min(n, this.capacity) * UNITS_PER_TOKEN;
    if (this.level >= target) return 0;
    if (this.rate <= 0) return Infinity;
    return Math.ceil((target - this.level) / this.rate);
  }

  msUntilFull(now: number): number {
    return this.msUntil(this.capacity, now);
  }

  /**
   * An admin's new limit applies at once. The fill ratio is kept, so raising a limit on a full
   * bucket grants the new burst immediately and lowering it never leaves more than the new cap.
   */
  setLimits(capacity: number, refillPerMinute: number, now: number): void {
    this.refill(now);
    if (capacity !== this.capacity) {
      const newMax = capacity * UNITS_PER_TOKEN;
      const oldMax = this.capacity * UNITS_PER_TOKEN;
      this.level = oldMax > 0 ? Math.floor((this.level / oldMax) * newMax) : newMax;
      this.capacity = capacity;
    }
    this.rate = refillPerMinute;
  }

  private refill(now: number): void {
    // A clock that steps back must not mint tokens later: time only moves forward here.
    if (now <= this.updatedAt) return;
    const max = this.capacity * UNITS_PER_TOKEN;
    if (this.level < max) this.level = Math.min(max, this.level + (now - this.updatedAt) * this.rate);
    this.updatedAt = now;
  }
}

export type LimitKind = "requests" | "tokens";

export interface LimitCheck {
  /** Unique within one admit(): `team:<id>:rpm`, `team:<id>:tpm`, `key:<id>:rpm`, `global:rpm`, … */
  key: string;
  kind: LimitKind;
  /** Non-positive or non-finite means unlimited: the check is skipped. */
  limitPerMinute: number;
  cost: number;
}

/** OpenAI's `x-ratelimit-*` headers, ready for `new Headers(...)`. */
export type RateLimitHeaders = Record<string, string>;

interface Entry {
  bucket: TokenBucket;
  usedAt: number;
}

interface TokenCharge {
  readonly bucket: TokenBucket;
  readonly charged: number;
}

/** What admit() took, so the estimate can be corrected once real usage is known. */
export interface Grant {
  readonly tokenCharges: readonly TokenCharge[];
  adjusted: boolean;
}

export type Admission =
  | { ok: true; grant: Grant; headers: RateLimitHeaders }
  | {
      ok: false;
      retryAfterMs: number;
      failed: LimitCheck;
      /** The cost exceeds the limit itself, so waiting will not help (OpenAI: "Request too large"). */
      tooLarge: boolean;
      headers: RateLimitHeaders;
    };

export interface RateLimiterOptions {
  /** A bucket that is full and unused this long is dropped; a full bucket equals a fresh one. */
  idleMs?: number;
}

// Buckets examined for eviction per admit(): keeps memory bounded with O(1) work per request and
// no periodic full scan that would stall one unlucky request.
const SWEEP_STEP = 4;

export class RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly idleMs: number;
  private cursor: Iterator<[string, Entry]> | null = null;
  private readonly scratch: (Entry | null)[] = [];

  constructor(opts: RateLimiterOptions = {}) {
    this.idleMs = opts.idleMs ?? 10 * 60_000;
  }

  get size(): number {
    return this.entries.size;
  }

  admit(checks: readonly LimitCheck[], now: number): Admission {
    this.sweepSome(now);
    const entries = this.scratch;
    entries.length = checks.length;

    // Pass 1 only looks, so a refusal leaves every bucket untouched (all-or-nothing).
    // The reported check is one that can never pass if there is one, else the slowest to refill;
    // the wait is the longest of all, since every check must pass at once.
    let failed: LimitCheck | null = null;
    let tooLarge = false;
    let waitMs = 0;
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!;
      if (!(check.limitPerMinute > 0 && Number.isFinite(check.limitPerMinute))) {
        entries[i] = null;
        continue;
      }
      const entry = this.entry(check, now);
      entries[i] = entry;
      const wait = entry.bucket.msUntil(check.cost, now);
      const never = check.cost > check.limitPerMinute;
      if (wait === 0 && !never) continue;
      if (failed === null || (never && !tooLarge) || (never === tooLarge && wait > waitMs)) {
        failed = check;
        tooLarge = never;
      }
      if (wait > waitMs) waitMs = wait;
    }

    if (failed !== null) {
      const headers = this.headers(checks, now);
      entries.fill(null);
      return { ok: false, retryAfterMs: waitMs, failed, tooLarge, headers };
    }

    const tokenCharges: TokenCharge[] = [];
    for (let i = 0; i < checks.length; i++) {
      const entry = entries[i];
      if (!entry) continue;
      const check = checks[i]!;
      entry.bucket.take(check.cost, now);
      entry.usedAt = now;
      if (check.kind === "tokens") tokenCharges.push({ bucket: entry.bucket, charged: check.cost });
    }
    const headers = this.headers(checks, now);
    entries.fill(null);
    return { ok: true, grant: { tokenCharges, adjusted: false }, headers };
  }

  /**
   * Corrects the TPM charge to the real token count: refunds an over-estimate, or charges the
   * excess of an under-estimate, flooring at an empty bucket (the excess is not carried as debt,
   * so one wrong estimate cannot lock a team out beyond a minute). Only the first call counts.
   */
  adjust(grant: Grant, actualTokens: number, now: number): void {
    if (grant.adjusted) return;
    grant.adjusted = true;
    for (const c of grant.tokenCharges) {
      const diff = c.charged - actualTokens;
      if (diff > 0) c.bucket.refund(diff, now);
      else if (diff < 0) c.bucket.charge(-diff, now);
    }
  }

  /** Full eviction pass; admit() already does this incrementally. Returns buckets dropped. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (this.isIdle(entry, now)) {
        this.entries.delete(key);
        dropped++;
      }
    }
    this.cursor = null;
    return dropped;
  }

  private entry(check: LimitCheck, now: number): Entry {
    let entry = this.entries.get(check.key);
    if (!entry) {
      entry = { bucket: new TokenBucket(check.limitPerMinute, check.limitPerMinute, now), usedAt: now };
      this.entries.set(check.key, entry);
    } else if (entry.bucket.limit !== check.limitPerMinute) {
      entry.bucket.setLimits(check.limitPerMinute, check.limitPerMinute, now);
    }
    return entry;
  }

  private isIdle(entry: Entry, now: number): boolean {
    return now - entry.usedAt >= this.idleMs && entry.bucket.msUntilFull(now) === 0;
  }

  private sweepSome(now: number): void {
    for (let i = 0; i < SWEEP_STEP; i++) {
      this.cursor ??= this.entries.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = null;
        return;
      }
      // Deleting the current key during Map iteration is safe in JavaScript.
      if (this.isIdle(next.value[1], now)) this.entries.delete(next.value[0]);
    }
  }

  // Reports, per kind, the bucket closest to empty relative to its limit, as OpenAI does.
  private headers(checks: readonly LimitCheck[], now: number): RateLimitHeaders {
    let reqIdx = -1;
    let reqRatio = Infinity;
    let tokIdx = -1;
    let tokRatio = Infinity;
    for (let i = 0; i < checks.length; i++) {
      const entry = this.scratch[i];
      if (!entry) continue;
      const ratio = entry.bucket.available(now) / entry.bucket.limit;
      if (checks[i]!.kind === "requests") {
        if (ratio < reqRatio) {
          reqIdx = i;
          reqRatio = ratio;
        }
      } else if (ratio < tokRatio) {
        tokIdx = i;
        tokRatio = ratio;
      }
    }
    const headers: RateLimitHeaders = {};
    if (reqIdx >= 0) this.setTrio(headers, "requests", this.scratch[reqIdx]!.bucket, now);
    if (tokIdx >= 0) this.setTrio(headers, "tokens", this.scratch[tokIdx]!.bucket, now);
    return headers;
  }

  private setTrio(headers: RateLimitHeaders, kind: LimitKind, bucket: TokenBucket, now: number): void {
    headers[`x-ratelimit-limit-${kind}`] = String(bucket.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.floor(bucket.available(now)));
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(bucket.msUntilFull(now));
  }
}

/**
 * OpenAI's reset format (Go's duration style): `12ms`, `1s`, `1m30.5s`, `6m0s`, `1h0m0s`.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const frac = millis % 1000;
  const seconds = frac === 0 ? `${whole}` : `${whole}.${String(frac).padStart(3, "0").replace(/0+$/, "")}`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Retry-After header value: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
