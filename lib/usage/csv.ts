/**
 * CSV cells and lines per RFC 4180 (CRLF, quotes doubled, quoted when a field holds a comma,
 * quote, CR or LF). Text cells that a spreadsheet would run as a formula get a leading
 * apostrophe; numbers we format ourselves are left alone so they stay numbers.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const MUST_QUOTE = /[",\r\n]/;

export function textCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return MUST_QUOTE.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function numberCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const n = Number(value);
  return Number.isFinite(n) ? String(n) : "";
}

/** Integer micro-USD as dollars with exactly six decimals, by integer arithmetic (no float rounding). */
export function usdCell(micros: unknown): string {
  const m = Number(micros ?? 0);
  const abs = Math.abs(m);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000).padStart(6, "0");
  return `${m < 0 ? "-" : ""}${whole}.${frac}`;
}

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, "0");
let cachedDay = Number.NaN;
let cachedDayPrefix = "";

/**
 * UTC ISO 8601 with milliseconds. Only the date part goes through Date, once per day: exports are
 * in time order, and Next.js wraps the global Date constructor in production, which makes a Date
 * per row (a million of them) leave garbage that the GC collects only late.
 */
export function isoCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const ms = Number(value);
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const t = ms - day * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const sec = Math.floor((t % 60_000) / 1000);
  return `${cachedDayPrefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(t % 1000, 3)}Z`;
}

export const boolCell = (value: unknown): string => (value ? "true" : "false");

/** Rates and shares: fixed decimals, so a column never switches to exponent notation. */
export const ratioCell = (value: number): string => value.toFixed(6);

export const csvLine = (cells: readonly string[]): string => `${cells.join(",")}\r\n`;
