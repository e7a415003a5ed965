import { createConversation, listConversations } from "@/lib/chat/conversations";
import { apiRoute } from "@/lib/server/handler";
import { teamOfViewer } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/** `?q=` narrows the list to conversations whose title or messages contain the text. */
export const GET = apiRoute({ auth: "session" }, ({ viewer, query }) => listConversations(viewer.userId, query.get("q")));
export const POST = apiRoute({ auth: "session", status: 201 }, async ({ viewer, runtime, json }) =>
  createConversation(viewer.userId, await teamOfViewer(viewer), await json(), runtime.now()),
);
