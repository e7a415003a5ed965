import { usageReport } from "@/lib/usage/report";
import { usageRoute } from "@/lib/usage/route";

export const dynamic = "force-dynamic";

export const GET = usageRoute(({ query, scope, now }) => usageReport(query, scope, now));
