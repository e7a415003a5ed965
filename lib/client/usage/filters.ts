/**
 * The usage page's filters as they live in the URL (?from=2025-01-01&to=2025-01-31&team=…&model=…&route=…&endpoint=…)
 * and as the usage API wants them. Days are UTC, like budgets; `to` is inclusive on screen.
 */
import { USAGE_ENDPOINTS } from "@/lib/usage/endpoints";

export interface UsageFilters {
  /** YYYY-MM-DD, UTC. */
  from: string;
  /** YYYY-MM-DD, UTC, inclusive. */
  to: string;
  teamId: string;
  model: string;
  route: string;
  /** "" for every endpoint, else chat, embeddings or responses. */
  endpoint: string;
}

export type FilterKey = keyof UsageFilters;

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

function validDay(text: string | null): text is string {
  return !!text && DATE.test(text) && Number.isFinite(dayStart(text)) && isoDay(dayStart(text)) === text;
}

/** The last `days` days, today included. */
export function lastDays(days: number, now = Date.now()): Pick<UsageFilters, "from" | "to"> {
  return { from: isoDay(now - (days - 1) * DAY_MS), to: isoDay(now) };
}

export function thisMonth(now = Date.now()): Pick<UsageFilters, "from" | "to"> {
  const d = new Date(now);
  return { from: isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)), to: isoDay(now) };
}

export const DEFAULT_DAYS = 7;

export function filtersFromSearch(params: URLSearchParams, now = Date.now()): UsageFilters {
  const fallback = lastDays(DEFAULT_DAYS, now);
  let from = params.get("from");
  let to = params.get("to");
  if (!validDay(from)) from = fallback.from;
  if (!validDay(to)) to = fallback.to;
  if (from > to) [from, to] = [to, from];
  const endpoint = params.get("endpoint") ?? "";
  return {
    from,
    to,
    teamId: params.get("team") ?? "",
    model: params.get("model") ?? "",
    route: params.get("route") ?? "",
    // An unknown value would only make every report a 400.
    endpoint: (USAGE_ENDPOINTS as readonly string[]).includes(endpoint) ? endpoint : "",
  };
}

/** The page URL's query: defaults are left out so a plain /usage stays plain. */
export function searchFromFilters(f: UsageFilters, now = Date.now()): string {
  const q = new URLSearchParams();
  const d = lastDays(DEFAULT_DAYS, now);
  if (f.from !== d.from || f.to !== d.to) {
    q.set("from", f.from);
    q.set("to", f.to);
  }
  if (f.teamId) q.set("team", f.teamId);
  if (f.model) q.set("model", f.model);
  if (f.route) q.set("route", f.route);
  if (f.endpoint) q.set("endpoint", f.endpoint);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function rangeError(from: string, to: string): string | null {
  if (!validDay(from) || !validDay(to)) return "Enter both dates";
  if (from > to) return "The start date is after the end date";
  if ((dayStart(to) - dayStart(from)) / DAY_MS + 1 > MAX_RANGE_DAYS) return `Pick at most ${MAX_RANGE_DAYS} days`;
  return null;
}

/** The API's query: an instant range [from, to) and the filters that are set. */
export function apiQuery(f: UsageFilters, extra: Record<string, string> = {}): URLSearchParams {
  const q = new URLSearchParams({
    from: new Date(dayStart(f.from)).toISOString(),
    to: new Date(dayStart(f.to) + DAY_MS).toISOString(),
  });
  if (f.teamId) q.set("teamId", f.teamId);
  if (f.model) q.set("model", f.model);
  if (f.route) q.set("route", f.route);
  if (f.endpoint) q.set("endpoint", f.endpoint);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

/** Every UTC day of the range, so a chart shows days without traffic as zero rather than skipping them. */
export function daysOf(f: Pick<UsageFilters, "from" | "to">): string[] {
  const out: string[] = [];
  for (let t = dayStart(f.from); t <= dayStart(f.to) && out.length <= MAX_RANGE_DAYS; t += DAY_MS) out.push(isoDay(t));
  return out;
}
