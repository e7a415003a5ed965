import { deleteModel, getModel, patchModel } from "@/lib/admin/models";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => getModel(ctx, params.id));
export const PATCH = apiRoute({ auth: "admin", params: ["id"] }, async ({ ctx, params, json }) => patchModel(ctx, params.id, await json()));
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => deleteModel(ctx, params.id));
