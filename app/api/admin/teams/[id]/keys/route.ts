import { createTeamKey, listTeamKeys } from "@/lib/admin/keys";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => listTeamKeys(ctx, params.id));
export const POST = apiRoute({ auth: "admin", params: ["id"], status: 201 }, async ({ ctx, params, json }) => createTeamKey(ctx, params.id, await json()));
