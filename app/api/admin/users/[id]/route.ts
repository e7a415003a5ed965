import { deleteUser, getUser, patchUser } from "@/lib/admin/users";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ params }) => getUser(params.id));
export const PATCH = apiRoute({ auth: "admin", params: ["id"] }, async ({ ctx, runtime, params, json }) => patchUser(ctx, await runtime.auth(), params.id, await json()));
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ params }) => deleteUser(params.id));
