import { deleteTeam, getTeam, patchTeam } from "@/lib/admin/teams";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => getTeam(ctx, params.id));
export const PATCH = apiRoute({ auth: "admin", params: ["id"] }, async ({ ctx, params, json }) => patchTeam(ctx, params.id, await json()));
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => deleteTeam(ctx, params.id));
