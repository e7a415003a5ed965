import { usageRoute } from "@/lib/usage/route";
import { topUsage } from "@/lib/usage/top";

export const dynamic = "force-dynamic";

export const GET = usageRoute(({ query, scope, now }) => topUsage(query, scope, now));
