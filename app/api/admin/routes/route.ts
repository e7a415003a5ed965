import { createRoute, listRoutes } from "@/lib/admin/routes";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute(({ ctx }) => listRoutes(ctx));
export const POST = adminRoute(async ({ ctx, json }) => createRoute(ctx, await json()), { status: 201 });
