import { createTeam, listTeams } from "@/lib/admin/teams";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute(({ ctx }) => listTeams(ctx));
export const POST = adminRoute(async ({ ctx, json }) => createTeam(ctx, await json()), { status: 201 });
