import { handleChat } from "@/lib/chat/door";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const POST = sessionRoute(({ runtime, viewer, req }) => handleChat(runtime.gateway, viewer, req, runtime.now));
