import { handleChat } from "@/lib/chat/door";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

// A conversation's whole history comes with every turn, so the chat door takes the server-wide cap.
export const POST = apiRoute({ auth: "session", maxBodyBytes: (env) => env.SWITCHYARD_MAX_BODY_BYTES }, async ({ runtime, viewer, req, json }) =>
  handleChat({ viewer, body: await json(), signal: req.signal }, { gateway: runtime.gateway, now: runtime.now, maxMessageBytes: runtime.env.SWITCHYARD_MAX_MESSAGE_BYTES }),
);
