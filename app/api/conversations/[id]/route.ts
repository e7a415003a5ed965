import { deleteConversation, getConversation, patchConversation } from "@/lib/chat/conversations";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session", params: ["id"] }, ({ viewer, params }) => getConversation(viewer.userId, params.id));
export const PATCH = apiRoute({ auth: "session", params: ["id"] }, async ({ viewer, params, runtime, json }) =>
  patchConversation(viewer.userId, params.id, await json(), runtime.now()),
);
export const DELETE = apiRoute({ auth: "session", params: ["id"] }, ({ viewer, params }) => deleteConversation(viewer.userId, params.id));
