import { deleteProvider, getProvider, patchProvider } from "@/lib/admin/providers";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => getProvider(ctx, params.id));
export const PATCH = apiRoute({ auth: "admin", params: ["id"] }, async ({ ctx, params, json }) => patchProvider(ctx, params.id, await json()));
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => deleteProvider(ctx, params.id));
