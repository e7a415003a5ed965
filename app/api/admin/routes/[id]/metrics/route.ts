import { routeMetrics } from "@/lib/admin/routes";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params, query }) => routeMetrics(ctx, params.id, query));
