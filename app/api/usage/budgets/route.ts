import { asOfNow } from "@/lib/usage/access";
import { budgetUsage } from "@/lib/usage/budgets";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "team-key" }, async ({ runtime, scope }) => budgetUsage(scope, { now: await asOfNow(runtime), budgets: runtime.gateway.budgets }));
