import { createConversation, listConversations } from "@/lib/chat/conversations";
import { teamOfViewer } from "@/lib/server/session";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const GET = sessionRoute(({ viewer }) => listConversations(viewer.userId));
export const POST = sessionRoute(
  async ({ viewer, runtime, json }) => createConversation(viewer.userId, teamOfViewer(viewer), await json(), runtime.now()),
  { status: 201 },
);
