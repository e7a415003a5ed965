import { rotateKey } from "@/lib/admin/keys";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

/** A new key shown once, in place of this one; the old key keeps working for the grace period asked for. */
export const POST = apiRoute({ auth: "admin", params: ["id"], status: 201 }, async ({ ctx, params, json }) => rotateKey(ctx, params.id, await json()));
