import { deleteRoute, getRoute, patchRoute } from "@/lib/admin/routes";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => getRoute(ctx, params.id));
export const PATCH = adminRoute<{ id: string }>(async ({ ctx, params, json }) => patchRoute(ctx, params.id, await json()));
export const DELETE = adminRoute<{ id: string }>(({ ctx, params }) => deleteRoute(ctx, params.id));
