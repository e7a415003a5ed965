import { createConversation, listConversations } from "@/lib/chat/conversations";
import { apiRoute } from "@/lib/server/handler";
import { teamOfViewer } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session" }, ({ viewer }) => listConversations(viewer.userId));
export const POST = apiRoute({ auth: "session", status: 201 }, async ({ viewer, runtime, json }) =>
  createConversation(viewer.userId, teamOfViewer(viewer), await json(), runtime.now()),
);
