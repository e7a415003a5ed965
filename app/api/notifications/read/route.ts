import { markNotificationsRead } from "@/lib/admin/notifications";
import { apiRoute } from "@/lib/server/handler";
import { requireAdminViewer } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ auth: "session" }, async ({ viewer, runtime, req, json }) => {
  requireAdminViewer(viewer);
  // An empty body marks everything read.
  const body = req.headers.get("content-length") === "0" ? null : await json();
  return markNotificationsRead(viewer.userId, body, runtime.now());
});
