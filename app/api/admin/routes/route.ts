import { createRoute, listRoutes } from "@/lib/admin/routes";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, ({ ctx }) => listRoutes(ctx));
export const POST = apiRoute({ auth: "admin", status: 201 }, async ({ ctx, json }) => createRoute(ctx, await json()));
