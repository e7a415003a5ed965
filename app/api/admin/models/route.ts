import { createModel, listModels } from "@/lib/admin/models";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute(({ ctx }) => listModels(ctx));
export const POST = adminRoute(async ({ ctx, json }) => createModel(ctx, await json()), { status: 201 });
