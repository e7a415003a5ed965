/**
 * GET /v1/models: what the calling key may put in `model`, in OpenAI's shape plus `endpoints`, what
 * each serves (a route: its control model's).
 */
import { authenticateApiKey } from "./auth";
import { endpointsOf } from "./endpoints/capabilities";
import { toErrorAnswer } from "./errors";
import type { GatewayRequest, GatewayResponse } from "./exchange";
import type { GatewayCore } from "./gateway";

export async function listModels(gw: GatewayCore, req: GatewayRequest): Promise<GatewayResponse> {
  try {
    const caller = await authenticateApiKey(req, gw.deps.store);
    const catalog = await gw.deps.store.catalog();
    const allowed = caller.team.allowedModels;
    const data = [...catalog.models.values()]
      .filter((m) => !allowed || allowed.includes(m.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((m) => ({
        id: m.name,
        object: "model",
        created: Math.floor(m.createdAt / 1000),
        owned_by: catalog.providers.get(m.providerId)?.name ?? "switchyard",
        endpoints: m.endpoints,
      }));
    for (const r of [...catalog.routes.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (allowed && !allowed.includes(r.name)) continue;
      data.push({ id: r.name, object: "model", created: Math.floor(r.createdAt / 1000), owned_by: "switchyard-route", endpoints: endpointsOf(r.name, catalog) });
    }
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ object: "list", data }) };
  } catch (err) {
    return toErrorAnswer(err, gw.deps.log);
  }
}
