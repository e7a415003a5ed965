/** react-query hooks for the models admin API; the list itself is shared with the routes pages. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ModelView } from "@/lib/admin/models";
import { api } from "../api";
import { useModels } from "../routes";

export { useModels, type ModelView };
export type BreakerState = "closed" | "half-open" | "open";

export const modelKeys = { all: ["models"] as const };

/** Same list and cache as useModels, refreshed so breaker states follow the gateway. */
export function useModelsLive(intervalMs = 5000) {
  return useQuery({
    queryKey: modelKeys.all,
    queryFn: ({ signal }) => api<{ data: ModelView[] }>("/api/admin/models", { signal }).then((r) => r.data),
    refetchInterval: intervalMs,
  });
}

const path = (id: string) => `/api/admin/models/${encodeURIComponent(id)}`;

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: modelKeys.all });
}

export function useCreateModel() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<ModelView>("/api/admin/models", { method: "POST", json: body }),
    onSuccess: invalidate,
  });
}

export function usePatchModel(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (patch: Record<string, unknown>) => api<ModelView>(path(id), { method: "PATCH", json: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteModel() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => api<{ id: string }>(path(id), { method: "DELETE" }),
    onSuccess: invalidate,
  });
}
