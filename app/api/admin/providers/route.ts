import { createProvider, listProviders } from "@/lib/admin/providers";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, ({ ctx }) => listProviders(ctx));
export const POST = apiRoute({ auth: "admin", status: 201 }, async ({ ctx, json }) => createProvider(ctx, await json()));
