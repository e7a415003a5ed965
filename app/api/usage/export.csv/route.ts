import { asOfNow } from "@/lib/usage/access";
import { exportUsageCsv } from "@/lib/usage/export";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "team-key" }, async ({ runtime, scope, query }) => exportUsageCsv(query, scope, await asOfNow(runtime), runtime.log));
