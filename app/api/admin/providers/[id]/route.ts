import { deleteProvider, getProvider, patchProvider } from "@/lib/admin/providers";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => getProvider(ctx, params.id));
export const PATCH = adminRoute<{ id: string }>(async ({ ctx, params, json }) => patchProvider(ctx, params.id, await json()));
export const DELETE = adminRoute<{ id: string }>(({ ctx, params }) => deleteProvider(ctx, params.id));
