/** GET /v1/models: what the calling key may put in `model`. */
import { authenticateApiKey } from "./auth";
import { toErrorResponse } from "./errors";
import type { GatewayCore } from "./gateway";

export async function listModels(gw: GatewayCore, req: Request): Promise<Response> {
  try {
    const caller = authenticateApiKey(req, gw.deps.store);
    const catalog = gw.deps.store.catalog();
    const allowed = caller.team.allowedModels;
    const data = [...catalog.models.values()]
      .filter((m) => !allowed || allowed.includes(m.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        id: m.name,
        object: "model",
        created: Math.floor(m.createdAt / 1000),
        owned_by: catalog.providers.get(m.providerId)?.name ?? "switchyard",
      }));
    for (const r of [...catalog.routes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (allowed && !allowed.includes(r.name)) continue;
      data.push({ id: r.name, object: "model", created: Math.floor(r.createdAt / 1000), owned_by: "switchyard-route" });
    }
    return Response.json({ object: "list", data });
  } catch (err) {
    return toErrorResponse(err, gw.deps.log);
  }
}
