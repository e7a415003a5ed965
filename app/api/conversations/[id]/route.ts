import { deleteConversation, getConversation, patchConversation } from "@/lib/chat/conversations";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const GET = sessionRoute<{ id: string }>(({ viewer, params }) => getConversation(viewer.userId, params.id));
export const PATCH = sessionRoute<{ id: string }>(async ({ viewer, params, runtime, json }) =>
  patchConversation(viewer.userId, params.id, await json(), runtime.now()),
);
export const DELETE = sessionRoute<{ id: string }>(({ viewer, params }) => deleteConversation(viewer.userId, params.id));
