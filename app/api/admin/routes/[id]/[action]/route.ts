import { routeAction } from "@/lib/admin/routes";
import { notFound } from "@/lib/gateway/errors";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

const ACTIONS = ["pause", "resume", "rollback", "promote"] as const;
type Action = (typeof ACTIONS)[number];

export const POST = apiRoute({ auth: "admin", params: ["id", "action"] }, ({ ctx, params }) => {
  if (!ACTIONS.includes(params.action as Action)) throw notFound(`Unknown route action '${params.action}'.`);
  return routeAction(ctx, params.id, params.action as Action);
});
