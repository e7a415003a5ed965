import { asOfNow } from "@/lib/usage/access";
import { usageReport } from "@/lib/usage/report";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "team-key" }, async ({ runtime, scope, query }) => usageReport(query, scope, await asOfNow(runtime)));
