import { getKey, revokeKey } from "@/lib/admin/keys";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute<{ id: string }>(({ ctx, params }) => getKey(ctx, params.id));
/** Revokes rather than deletes, so usage rows keep pointing at a key admins can still see. */
export const DELETE = adminRoute<{ id: string }>(({ ctx, params }) => revokeKey(ctx, params.id));
