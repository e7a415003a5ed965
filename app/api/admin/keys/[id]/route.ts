import { getKey, revokeKey } from "@/lib/admin/keys";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => getKey(ctx, params.id));
/** Revokes rather than deletes, so usage rows keep pointing at a key admins can still see. */
export const DELETE = apiRoute({ auth: "admin", params: ["id"] }, ({ ctx, params }) => revokeKey(ctx, params.id));
