/** Wire types and react-query hooks for the providers admin API. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ProviderTestResult } from "@/lib/admin/provider-test";
import type { ProviderView } from "@/lib/admin/providers";
import { api } from "../api";

export type { ProviderView, ProviderTestResult };
export type ProviderKind = ProviderView["kind"];

export const providerKeys = {
  all: ["providers"] as const,
  test: (id: string) => ["providers", "test", id] as const,
};

export { PROVIDER_KIND_INFO } from "@/lib/gateway/providers/kinds";

const path = (id: string) => `/api/admin/providers/${encodeURIComponent(id)}`;

export function useProviders() {
  return useQuery({
    queryKey: providerKeys.all,
    queryFn: ({ signal }) => api<{ data: ProviderView[] }>("/api/admin/providers", { signal }).then((r) => r.data),
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: providerKeys.all });
}

export function useCreateProvider() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api<ProviderView>("/api/admin/providers", { method: "POST", json: body }),
    onSuccess: invalidate,
  });
}

export function usePatchProvider(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (patch: Record<string, unknown>) => api<ProviderView>(path(id), { method: "PATCH", json: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteProvider() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => api<{ id: string }>(path(id), { method: "DELETE" }),
    onSuccess: invalidate,
  });
}

/** Lists the provider's models through the gateway; the result is cached so the model form can suggest them. */
export function useTestProvider(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: providerKeys.test(id),
    mutationFn: () => api<ProviderTestResult>(`${path(id)}/test`, { method: "POST" }),
    onSuccess: (result) => qc.setQueryData(providerKeys.test(id), result),
  });
}

/**
 * The last connection test of a provider, shared with the provider table; `refetch()` runs a new
 * one. Never runs on its own, since each run calls the upstream.
 */
export function useProviderModels(id: string) {
  return useQuery({
    queryKey: providerKeys.test(id),
    queryFn: () => api<ProviderTestResult>(`${path(id)}/test`, { method: "POST" }),
    enabled: false,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}
