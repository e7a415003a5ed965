/** Parses the query string every usage endpoint shares: date range, team, model, route, endpoint. */
import { getRouteByName } from "@/db/queries/routes";
import type { UsageFilter } from "@/db/queries/usage-reports";
import { badRequest } from "../gateway/errors";
import { startOfUtcDay } from "../gateway/period";
import { scopedTeamId, type UsageScope } from "./access";
import { USAGE_ENDPOINTS } from "./endpoints";

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/i;

/** A date is 00:00 UTC of that day; a datetime without an offset is UTC too (never the server's zone). */
export function parseInstant(value: string, param: string): number {
  let ms = Number.NaN;
  if (DATE.test(value)) ms = Date.parse(`${value}T00:00:00Z`);
  else if (DATETIME.test(value)) ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`);
  if (!Number.isFinite(ms)) {
    throw badRequest(`'${param}' must be an ISO date (2026-11-01) or datetime (2026-11-01T12:00:00Z).`, param);
  }
  return ms;
}

/** A parameter that is present and not blank. */
function param(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name)?.trim();
  return v ? v : undefined;
}

export function oneOf<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const v = param(query, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw badRequest(`'${name}' must be one of: ${allowed.join(", ")}.`, name);
  return v as T;
}

export interface ParsedFilter {
  filter: UsageFilter;
  /** What the caller asked for, echoed back (route as given, by name or id). */
  echo: { teamId: string | null; model: string | null; route: string | null; endpoint: string | null };
}

/**
 * Without dates: the last 30 UTC days, today included, so day charts start on a whole day.
 * `to` is exclusive.
 */
export async function parseUsageFilter(query: URLSearchParams, scope: UsageScope, now: number): Promise<ParsedFilter> {
  const fromParam = param(query, "from");
  const toParam = param(query, "to");
  const to = toParam ? parseInstant(toParam, "to") : now;
  const from = fromParam ? parseInstant(fromParam, "from") : startOfUtcDay(to - 1) - (DEFAULT_DAYS - 1) * DAY_MS;
  if (from >= to) throw badRequest("'from' must be before 'to' (which is exclusive).", "from");

  const teamId = scopedTeamId(scope, param(query, "teamId"));
  const model = param(query, "model");
  const route = param(query, "route");
  // A route is named by its name or its id; rows of a deleted route still carry its id.
  const routeId = route === undefined ? undefined : ((await getRouteByName({ name: route }))?.id ?? route);
  const endpoint = param(query, "endpoint") === undefined ? undefined : oneOf(query, "endpoint", USAGE_ENDPOINTS, USAGE_ENDPOINTS[0]);
  return {
    filter: { from, to, teamId, model, routeId, endpoint },
    echo: { teamId: teamId ?? null, model: model ?? null, route: route ?? null, endpoint: endpoint ?? null },
  };
}
