import { listNotifications } from "@/lib/admin/notifications";
import { apiRoute } from "@/lib/server/handler";
import { requireAdminViewer } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/** An admin's own list: the read marker is per person, so this takes a session, not the admin token. */
export const GET = apiRoute({ auth: "session" }, ({ viewer, query }) => {
  requireAdminViewer(viewer);
  return listNotifications(viewer.userId, query);
});
