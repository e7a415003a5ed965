/**
 * The request log's filters as they live in the URL (?from&to&team&key&user&model&route&status&endpoint)
 * and the infinite query that follows the API's cursor, one page at a time.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { api } from "../api";
import { dayStart, lastDays, rangeError } from "./filters";
import type { RequestLogEntry, RequestLogPage } from "@/lib/usage/requests";

export type { RequestLogEntry, RequestLogPage };

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 7;
const PAGE_SIZE = 50;

export interface LogFilters {
  /** YYYY-MM-DD, UTC, both inclusive. */
  from: string;
  to: string;
  teamId: string;
  keyId: string;
  userId: string;
  model: string;
  route: string;
  status: string;
  endpoint: string;
}

/** URL parameter of each filter that is not a date. */
const PARAMS = { teamId: "team", keyId: "key", userId: "user", model: "model", route: "route", status: "status", endpoint: "endpoint" } as const;
type Picked = keyof typeof PARAMS;

export function logFiltersFromSearch(params: URLSearchParams, now = Date.now()): LogFilters {
  const d = lastDays(DEFAULT_DAYS, now);
  let from = params.get("from") ?? d.from;
  let to = params.get("to") ?? d.to;
  if (rangeError(from, to)) ({ from, to } = d);
  const picked = Object.fromEntries(Object.entries(PARAMS).map(([k, p]) => [k, params.get(p) ?? ""])) as Record<Picked, string>;
  return { from, to, ...picked };
}

function searchOf(f: LogFilters, now = Date.now()): string {
  const q = new URLSearchParams();
  const d = lastDays(DEFAULT_DAYS, now);
  if (f.from !== d.from || f.to !== d.to) {
    q.set("from", f.from);
    q.set("to", f.to);
  }
  for (const [k, p] of Object.entries(PARAMS)) if (f[k as Picked]) q.set(p, f[k as Picked]);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export function useLogFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = params.toString();
  const filters = useMemo(() => logFiltersFromSearch(new URLSearchParams(query)), [query]);
  return {
    filters,
    update(patch: Partial<LogFilters>) {
      router.replace(`${pathname}${searchOf({ ...filters, ...patch })}`, { scroll: false });
    },
  };
}

export function logApiQuery(f: LogFilters, cursor: string | null): URLSearchParams {
  const q = new URLSearchParams({
    from: new Date(dayStart(f.from)).toISOString(),
    to: new Date(dayStart(f.to) + DAY_MS).toISOString(),
    limit: String(PAGE_SIZE),
  });
  for (const k of Object.keys(PARAMS) as Picked[]) if (f[k]) q.set(k === "route" ? "route" : k, f[k]);
  if (cursor) q.set("cursor", cursor);
  return q;
}

/** `base` is /api/usage/requests (admins) or /api/me/usage/requests (one's own). */
export function useRequestLog(base: string, f: LogFilters) {
  return useInfiniteQuery({
    queryKey: ["usage", "requests", base, f],
    queryFn: ({ pageParam, signal }) => api<RequestLogPage>(`${base}?${logApiQuery(f, pageParam)}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
