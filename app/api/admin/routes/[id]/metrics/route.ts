import { routeMetrics } from "@/lib/admin/routes";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params, query }) => routeMetrics(ctx, params.id, query));
