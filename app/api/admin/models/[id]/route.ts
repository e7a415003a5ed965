import { deleteModel, getModel, patchModel } from "@/lib/admin/models";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => getModel(ctx, params.id));
export const PATCH = adminRoute<{ id: string }>(async ({ ctx, params, json }) => patchModel(ctx, params.id, await json()));
export const DELETE = adminRoute<{ id: string }>(({ ctx, params }) => deleteModel(ctx, params.id));
