/**
 * GET /metrics. Open by default, like most exporters, since it shows counts and names but no
 * secrets or prompts; set SWITCHYARD_METRICS_TOKEN to require `Authorization: Bearer <that token>`
 * (the admin token is accepted too).
 */
import { listTeams } from "@/db/queries/teams";
import { bearerToken } from "../gateway/auth";
import { unauthorized } from "../gateway/errors";
import { safeEqual } from "../secrets";
import type { Runtime } from "../server/runtime";
import { CONTENT_TYPE } from "./exposition";
import { getMetrics } from "./metrics";

/** Open unless SWITCHYARD_METRICS_TOKEN is set; then that token or the admin token. */
export function metricsAccess(req: Request, runtime: Runtime): void {
  const expected = runtime.env.SWITCHYARD_METRICS_TOKEN;
  if (!expected) return;
  const token = bearerToken(req);
  if (token && (safeEqual(token, expected) || runtime.verifyAdminToken(token))) return;
  throw unauthorized("Send the metrics token (SWITCHYARD_METRICS_TOKEN) as 'Authorization: Bearer …'.");
}

export async function metricsResponse(runtime: Runtime): Promise<Response> {
  const now = runtime.now();
  const names = new Map((await listTeams()).map((t) => [t.id, t.name]));
  const models = [...(await runtime.catalog.get()).models.values()];
  const breakers = await Promise.all(models.map(async (m) => ({ model: m.name, state: (await runtime.gateway.breakers.state(m.id, now)).state })));
  const body = getMetrics().render({ teamName: (id) => names.get(id) ?? id, breakers });
  return new Response(body, { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
}
