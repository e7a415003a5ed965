/** The admins' notification list in the top bar: react-query hooks over /api/notifications. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./api";
import type { NotificationList } from "@/lib/admin/notifications";

export type { NotificationList };
export type Notification = NotificationList["data"][number];

const KEY = ["notifications"] as const;
const REFRESH_MS = 30_000;

export function useNotifications() {
  return useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => api<NotificationList>("/api/notifications?limit=20", { signal }),
    refetchInterval: REFRESH_MS,
  });
}

/** Marks read up to the newest notification shown, so one that arrived meanwhile stays unread. */
export function useMarkNotificationsRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (upTo: number) => api<{ lastReadId: number; unread: number }>("/api/notifications/read", { method: "POST", json: { upTo } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
}
