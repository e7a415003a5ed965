import { deleteTeam, getTeam, patchTeam } from "@/lib/admin/teams";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => getTeam(ctx, params.id));
export const PATCH = adminRoute<{ id: string }>(async ({ ctx, params, json }) => patchTeam(ctx, params.id, await json()));
export const DELETE = adminRoute<{ id: string }>(({ ctx, params }) => deleteTeam(ctx, params.id));
