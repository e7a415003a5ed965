/** The key forms' own values: an expiry picked as a day, and a rotation's grace period. */

/** Today in the browser's time zone as an <input type="date"> value, the earliest expiry day. */
export function todayValue(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/**
 * A day from a date input as the instant the key stops working: the end of that day in the
 * browser's time zone, so a key "expiring on the 31st" works all through the 31st. Blank is none.
 */
export function expiryOfDay(day: string, now = new Date()): Parsed<string | null> {
  if (!day) return { value: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return { error: "Pick a day, or leave it blank for no expiry" };
  const end = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
  if (Number.isNaN(end.getTime())) return { error: "Pick a day, or leave it blank for no expiry" };
  if (end.getTime() <= now.getTime()) return { error: "The expiry must be today or later" };
  return { value: end.toISOString() };
}

/** The grace periods offered, in seconds; "other" takes a number and a unit. */
export const GRACE_CHOICES = [
  { value: "0", label: "None: revoke the old key now" },
  { value: "3600", label: "1 hour" },
  { value: "86400", label: "24 hours" },
  { value: "604800", label: "7 days" },
  { value: "2592000", label: "30 days" },
  { value: "other", label: "Other…" },
] as const;

export const GRACE_UNITS = [
  { value: 1, label: "seconds" },
  { value: 60, label: "minutes" },
  { value: 3600, label: "hours" },
  { value: 86400, label: "days" },
] as const;

export const MAX_GRACE_SECONDS = 30 * 86_400;

export function graceSeconds(choice: string, amount: string, unitSeconds: number): Parsed<number> {
  if (choice !== "other") return { value: Number(choice) };
  const n = Number(amount.trim());
  if (!amount.trim() || !Number.isInteger(n) || n < 0) return { error: "Enter a whole number" };
  const seconds = n * unitSeconds;
  if (seconds > MAX_GRACE_SECONDS) return { error: "The grace period may be at most 30 days" };
  return { value: seconds };
}

/** "for 24 hours", "for 90 seconds": how long the old key keeps working, in words. */
export function graceInWords(seconds: number): string {
  if (seconds === 0) return "no longer";
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", 3600],
    ["minute", 60],
  ] as const) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}
