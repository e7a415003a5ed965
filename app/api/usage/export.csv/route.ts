import { exportUsageCsv } from "@/lib/usage/export";
import { usageRoute } from "@/lib/usage/route";

export const dynamic = "force-dynamic";

export const GET = usageRoute(({ query, scope, now, runtime }) => exportUsageCsv(query, scope, now, runtime.log));
