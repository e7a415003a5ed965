import { asOfNow } from "@/lib/usage/access";
import { myUsage } from "@/lib/usage/my-usage";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session" }, async ({ runtime, viewer }) => myUsage(viewer, { now: await asOfNow(runtime), budgets: runtime.gateway.budgets }));
