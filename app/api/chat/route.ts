import { handleChat } from "@/lib/chat/door";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const POST = sessionRoute(({ runtime, viewer, req }) =>
  handleChat(runtime.gateway, viewer, req, runtime.now, { maxBodyBytes: runtime.env.SWITCHYARD_MAX_BODY_BYTES, maxMessageBytes: runtime.env.SWITCHYARD_MAX_MESSAGE_BYTES }),
);
