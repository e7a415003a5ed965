import { deleteRoute, getRoute, patchRoute } from "@/lib/admin/routes";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => getRoute(ctx, params.id));
export const PATCH = apiRoute({ auth: "admin", params: ["id"] }, async ({ ctx, params, json }) => patchRoute(ctx, params.id, await json()));
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => deleteRoute(ctx, params.id));
