import { asOfNow } from "@/lib/usage/access";
import { requestLog } from "@/lib/usage/requests";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

/** The request log of the signed-in person, whatever their role. */
export const GET = apiRoute({ auth: "session" }, async ({ runtime, viewer, query }) => requestLog(query, { kind: "user", userId: viewer.userId }, await asOfNow(runtime)));
