import { createTeamKey, listTeamKeys } from "@/lib/admin/keys";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => listTeamKeys(ctx, params.id));
export const POST = adminRoute<{ id: string }>(async ({ ctx, params, json }) => createTeamKey(ctx, params.id, await json()), { status: 201 });
