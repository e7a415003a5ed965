import { asOfNow } from "@/lib/usage/access";
import { topUsage } from "@/lib/usage/top";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "team-key" }, async ({ runtime, scope, query }) => topUsage(query, scope, await asOfNow(runtime)));
