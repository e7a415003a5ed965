import { asOfNow } from "@/lib/usage/access";
import { requestLog } from "@/lib/usage/requests";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "team-key" }, async ({ runtime, scope, query }) => requestLog(query, scope, await asOfNow(runtime)));
