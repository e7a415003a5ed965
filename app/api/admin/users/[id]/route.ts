import { deleteUser, getUser, patchUser } from "@/lib/admin/users";
import { adminRoute } from "@/lib/server/admin-route";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ params }) => getUser(params.id));
export const PATCH = adminRoute<{ id: string }>(async ({ ctx, params, json }) => patchUser(ctx, await getRuntime().auth(), params.id, await json()));
export const DELETE = adminRoute<{ id: string }>(({ params }) => deleteUser(params.id));
