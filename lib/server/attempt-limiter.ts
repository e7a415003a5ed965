/**
 * Counts attempts per key (here: the email a sign-in tried) in fixed windows. An attempt takes its
 * slot before it runs, so a burst of parallel guesses cannot all pass a check made before any of
 * them failed; the caller hands the slot back when the attempt turned out not to be a wrong guess.
 */
export type Take = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number };

export interface AttemptLimiter {
  take(key: string): Take;
}

interface Window {
  count: number;
  resetAt: number;
}

export function createAttemptLimiter(opts: { max: number; windowMs: number; now: () => number; maxKeys?: number }): AttemptLimiter {
  const windows = new Map<string, Window>();
  // Bounded, so guesses at a million made-up emails cannot grow memory without end.
  const maxKeys = opts.maxKeys ?? 100_000;

  const makeRoom = (now: number) => {
    if (windows.size < maxKeys) return;
    for (const [key, w] of windows) if (now >= w.resetAt) windows.delete(key);
    // Still full: the oldest windows go first (a Map iterates in insertion order).
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  };

  return {
    take(key) {
      const now = opts.now();
      let w = windows.get(key);
      if (!w || now >= w.resetAt) {
        windows.delete(key);
        makeRoom(now);
        w = { count: 0, resetAt: now + opts.windowMs };
        windows.set(key, w);
      }
      if (w.count >= opts.max) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
      w.count++;
      const taken = w;
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released || windows.get(key) !== taken) return;
          released = true;
          taken.count--;
        },
      };
    },
  };
}
