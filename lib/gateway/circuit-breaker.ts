// One circuit breaker per upstream model: a sick upstream is skipped (the caller goes to the
// fallback) until a few probe requests show it has recovered.

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Rolling window over which the failure rate is measured. */
  windowMs: number;
  /** Opens when failures / requests in the window reach this rate… */
  failureRateThreshold: number;
  /** …and the window holds at least this many requests, so two early errors do not trip it. */
  minimumRequests: number;
  /** Cool-down before probing an open upstream. */
  openMs: number;
  /** Concurrent probes allowed in half-open; this many successes close the breaker. */
  halfOpenProbes: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  windowMs: 60_000,
  failureRateThreshold: 0.5,
  minimumRequests: 10,
  openMs: 30_000,
  halfOpenProbes: 3,
};

export interface BreakerTransition {
  key: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
  failureRate: number;
  requests: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  failureRate: number;
  requests: number;
  failures: number;
  openedAt: number | null;
  nextProbeAt: number | null;
}

export interface Acquisition {
  readonly allowed: boolean;
  readonly state: BreakerState;
  readonly probe: boolean;
}

// acquire() runs on every request; its answers are shared constants so it allocates nothing.
const PASS: Acquisition = Object.freeze({ allowed: true, state: "closed", probe: false });
const PROBE: Acquisition = Object.freeze({ allowed: true, state: "half_open", probe: true });
const BLOCKED_OPEN: Acquisition = Object.freeze({ allowed: false, state: "open", probe: false });
const BLOCKED_HALF_OPEN: Acquisition = Object.freeze({ allowed: false, state: "half_open", probe: false });

// The window is a ring of time slots; old slots are zeroed as time advances, so each update is
// O(1) (at most SLOTS clears) and results age out with a granularity of windowMs / SLOTS.
const SLOTS = 10;

class Breaker {
  state: BreakerState = "closed";
  openedAt: number | null = null;
  probesInFlight = 0;
  probeSuccesses = 0;
  lastProbeAt = 0;
  readonly slotRequests = new Uint32Array(SLOTS);
  readonly slotFailures = new Uint32Array(SLOTS);
  head = -1; // index (now / slotMs) of the newest slot; -1 = window empty
  requests = 0;
  failures = 0;

  advance(now: number, slotMs: number): void {
    const slot = Math.floor(now / slotMs);
    if (slot <= this.head) return; // late or skewed results land in the newest slot
    if (this.head < 0 || slot - this.head >= SLOTS) this.resetWindow();
    else {
      for (let s = this.head + 1; s <= slot; s++) {
        const i = s % SLOTS;
        this.requests -= this.slotRequests[i]!;
        this.failures -= this.slotFailures[i]!;
        this.slotRequests[i] = 0;
        this.slotFailures[i] = 0;
      }
    }
    this.head = slot;
  }

  add(ok: boolean): void {
    const i = this.head % SLOTS;
    this.slotRequests[i]!++;
    this.requests++;
    if (!ok) {
      this.slotFailures[i]!++;
      this.failures++;
    }
  }

  resetWindow(): void {
    this.slotRequests.fill(0);
    this.slotFailures.fill(0);
    this.requests = 0;
    this.failures = 0;
  }

  failureRate(): number {
    return this.requests === 0 ? 0 : this.failures / this.requests;
  }
}

export class CircuitBreakers {
  private opts: BreakerOptions;
  private readonly breakers = new Map<string, Breaker>();

  constructor(
    opts: Partial<BreakerOptions> = {},
    private readonly onTransition?: (e: BreakerTransition) => void,
  ) {
    this.opts = { ...DEFAULT_BREAKER_OPTIONS, ...opts };
  }

  acquire(key: string, now: number): Acquisition {
    const b = this.breakers.get(key);
    if (!b) return PASS;
    this.maybeHalfOpen(key, b, now);
    if (b.state === "closed") return PASS;
    if (b.state === "open") return BLOCKED_OPEN;
    // A probe whose result never came back (the caller lost it) must not hold its slot forever.
    if (b.probesInFlight >= this.opts.halfOpenProbes && now - b.lastProbeAt >= this.opts.openMs) {
      b.probesInFlight = 0;
    }
    if (b.probesInFlight >= this.opts.halfOpenProbes) return BLOCKED_HALF_OPEN;
    b.probesInFlight++;
    b.lastProbeAt = now;
    return PROBE;
  }

  /** Open and still cooling down: callers skip this upstream without taking a probe slot. */
  isOpen(key: string, now: number): boolean {
    const b = this.breakers.get(key);
    if (!b) return false;
    this.maybeHalfOpen(key, b, now);
    return b.state === "open";
  }

  record(key: string, ok: boolean, now: number, wasProbe: boolean): void {
    let b = this.breakers.get(key);
    if (!b) {
      b = new Breaker();
      this.breakers.set(key, b);
    }
    if (wasProbe) {
      // A probe from an earlier half-open episode says nothing about the current state.
      if (b.state !== "half_open") return;
      if (b.probesInFlight > 0) b.probesInFlight--;
      if (!ok) this.transition(key, b, "open", now);
      else if (++b.probeSuccesses >= this.opts.halfOpenProbes) this.transition(key, b, "closed", now);
      return;
    }
    // Calls admitted before the breaker opened are already accounted for by the trip.
    if (b.state !== "closed") return;
    b.advance(now, this.slotMs());
    b.add(ok);
    if (b.requests >= this.opts.minimumRequests && b.failures >= this.opts.failureRateThreshold * b.requests) {
      this.transition(key, b, "open", now);
    }
  }

  state(key: string, now: number): BreakerSnapshot {
    const b = this.breakers.get(key);
    if (!b) {
      return { state: "closed", failureRate: 0, requests: 0, failures: 0, openedAt: null, nextProbeAt: null };
    }
    this.maybeHalfOpen(key, b, now);
    b.advance(now, this.slotMs());
    return {
      state: b.state,
      failureRate: b.failureRate(),
      requests: b.requests,
      failures: b.failures,
      openedAt: b.openedAt,
      nextProbeAt: b.state === "open" && b.openedAt !== null ? b.openedAt + this.opts.openMs : null,
    };
  }

  setOptions(opts: Partial<BreakerOptions>): void {
    const windowChanged = opts.windowMs !== undefined && opts.windowMs !== this.opts.windowMs;
    this.opts = { ...this.opts, ...opts };
    // Slot indexes depend on the slot size, so old counts cannot be mapped onto a new window.
    if (windowChanged) {
      for (const b of this.breakers.values()) {
        b.resetWindow();
        b.head = -1;
      }
    }
  }

  /** Drops the state of a deleted model. */
  forget(key: string): void {
    this.breakers.delete(key);
  }

  private slotMs(): number {
    return this.opts.windowMs / SLOTS;
  }

  // Open → half-open happens lazily on the next look after the cool-down; no timers needed.
  private maybeHalfOpen(key: string, b: Breaker, now: number): void {
    if (b.state === "open" && b.openedAt !== null && now - b.openedAt >= this.opts.openMs) {
      this.transition(key, b, "half_open", now);
    }
  }

  private transition(key: string, b: Breaker, to: BreakerState, now: number): void {
    const from = b.state;
    const failureRate = b.failureRate();
    const requests = b.requests;
    b.state = to;
    b.probesInFlight = 0;
    b.probeSuccesses = 0;
    if (to === "open") b.openedAt = now;
    if (to === "closed") {
      // Recovery starts from a clean slate; the failures that tripped it are history.
      b.openedAt = null;
      b.resetWindow();
    }
    this.onTransition?.({ key, from, to, at: now, failureRate, requests });
  }
}
