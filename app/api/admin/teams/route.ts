import { createTeam, listTeams } from "@/lib/admin/teams";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, ({ ctx }) => listTeams(ctx));
export const POST = apiRoute({ auth: "admin", status: 201 }, async ({ ctx, json }) => createTeam(ctx, await json()));
