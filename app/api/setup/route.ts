import { stampedClient } from "@/lib/server/client-address";
import { completeSetup, setupState } from "@/lib/server/first-admin";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "public" }, ({ runtime, req }) => setupState(stampedClient(req.headers, runtime.clientStamped)));

/** One-time: creates the first admin while there are no users; only from this server's own page. */
export const POST = apiRoute({ auth: "public", sameOrigin: "always", status: 201 }, async ({ runtime, req, json }) =>
  completeSetup(runtime, await json(), stampedClient(req.headers, runtime.clientStamped)),
);
