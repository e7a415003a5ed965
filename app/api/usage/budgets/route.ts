import { budgetUsage } from "@/lib/usage/budgets";
import { usageRoute } from "@/lib/usage/route";

export const dynamic = "force-dynamic";

export const GET = usageRoute(({ runtime, scope, now }) => budgetUsage(scope, { now, budgets: runtime.gateway.budgets }));
