// UTC calendar periods for budgets: caps reset at 00:00 UTC and on the 1st of the month (UTC),
// whatever the server's time zone.

const DAY_MS = 86_400_000;

export function startOfUtcDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

export function startOfUtcMonth(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function startOfNextUtcDay(now: number): number {
  return startOfUtcDay(now) + DAY_MS;
}

export function startOfNextUtcMonth(now: number): number {
  const d = new Date(now);
  // Date.UTC carries month 12 over into January of the next year.
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function msUntilNextUtcDay(now: number): number {
  return startOfNextUtcDay(now) - now;
}

export function msUntilNextUtcMonth(now: number): number {
  return startOfNextUtcMonth(now) - now;
}

/** "YYYY-MM-DD" of the UTC day containing `now`. */
export function dayKey(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** "YYYY-MM" of the UTC month containing `now`. */
export function monthKey(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}
