import { createProvider, listProviders } from "@/lib/admin/providers";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute(({ ctx }) => listProviders(ctx));
export const POST = adminRoute(async ({ ctx, json }) => createProvider(ctx, await json()), { status: 201 });
