/** Wire types and react-query hooks for the routes (traffic splits) admin API. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ModelView } from "@/lib/admin/models";
import type { RouteView } from "@/lib/admin/routes";
import type { ModelSeries, SeriesPoint } from "@/lib/rollout/series";
import { api } from "./api";

export type { RouteView, ModelView, SeriesPoint, ModelSeries };
export type RouteStatus = RouteView["status"];
export type RouteEvent = NonNullable<RouteView["events"]>[number];
export type RouteAction = "pause" | "resume" | "rollback" | "promote";

export interface RouteMetrics {
  routeId: string;
  from: string;
  to: string;
  bucketSeconds: number;
  control: SeriesPoint[];
  candidate: SeriesPoint[];
  /** One line per variant and the model serving it at the time. */
  series?: ModelSeries[];
}

/** What the route view and the list both refresh at, so the page follows the evaluator. */
export const LIVE_INTERVAL_MS = 5000;

export const routeKeys = {
  all: ["routes"] as const,
  list: () => ["routes", "list"] as const,
  detail: (id: string) => ["routes", "detail", id] as const,
  metrics: (id: string, minutes: number) => ["routes", "metrics", id, minutes] as const,
};

export function useRoutes() {
  return useQuery({
    queryKey: routeKeys.list(),
    queryFn: ({ signal }) => api<{ data: RouteView[] }>("/api/admin/routes", { signal }).then((r) => r.data),
    refetchInterval: LIVE_INTERVAL_MS,
  });
}

export function useRoute(id: string) {
  return useQuery({
    queryKey: routeKeys.detail(id),
    queryFn: ({ signal }) => api<RouteView>(`/api/admin/routes/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: LIVE_INTERVAL_MS,
  });
}

export function useRouteMetrics(id: string, minutes: number, buckets = 30) {
  return useQuery({
    queryKey: routeKeys.metrics(id, minutes),
    queryFn: ({ signal }) =>
      api<RouteMetrics>(`/api/admin/routes/${encodeURIComponent(id)}/metrics?minutes=${minutes}&buckets=${buckets}`, { signal }),
    refetchInterval: LIVE_INTERVAL_MS,
    // Keeps the previous window on screen while a different one loads.
    placeholderData: (prev) => prev,
  });
}

export function useModels() {
  return useQuery({
    queryKey: ["models"],
    queryFn: ({ signal }) => api<{ data: ModelView[] }>("/api/admin/models", { signal }).then((r) => r.data),
  });
}

function useRouteUpdated() {
  const qc = useQueryClient();
  return (route: RouteView) => {
    qc.setQueryData(routeKeys.detail(route.id), route);
    void qc.invalidateQueries({ queryKey: routeKeys.all });
  };
}

export function useCreateRoute() {
  const updated = useRouteUpdated();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<RouteView>("/api/admin/routes", { method: "POST", json: body }),
    onSuccess: updated,
  });
}

export function usePatchRoute(id: string) {
  const updated = useRouteUpdated();
  return useMutation({
    mutationFn: (patch: Record<string, unknown>) => api<RouteView>(`/api/admin/routes/${encodeURIComponent(id)}`, { method: "PATCH", json: patch }),
    onSuccess: updated,
  });
}

export function useRouteAction(id: string) {
  const updated = useRouteUpdated();
  return useMutation({
    mutationFn: (action: RouteAction) => api<RouteView>(`/api/admin/routes/${encodeURIComponent(id)}/${action}`, { method: "POST" }),
    onSuccess: updated,
  });
}

export function useDeleteRoute(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ id: string; deleted: true }>(`/api/admin/routes/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: routeKeys.list() });
    },
  });
}
