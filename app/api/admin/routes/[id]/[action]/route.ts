import { routeAction } from "@/lib/admin/routes";
import { notFound } from "@/lib/gateway/errors";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

const ACTIONS = ["pause", "resume", "rollback", "promote"] as const;
type Action = (typeof ACTIONS)[number];

export const POST = adminRoute<{ id: string; action: string }>(({ ctx, params }) => {
  if (!ACTIONS.includes(params.action as Action)) throw notFound(`Unknown route action '${params.action}'.`);
  return routeAction(ctx, params.id, params.action as Action);
});
