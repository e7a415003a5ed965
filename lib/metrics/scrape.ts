/**
 * GET /metrics. Open by default, like most exporters, since it shows counts and names but no
 * secrets or prompts; set SWITCHYARD_METRICS_TOKEN to require `Authorization: Bearer <that token>`
 * (the admin token is accepted too).
 */
import { listTeams } from "@/db/queries/teams";
import { bearerToken } from "../gateway/auth";
import { toErrorResponse, unauthorized } from "../gateway/errors";
import { safeEqual } from "../secrets";
import { getRuntime, type Runtime } from "../server/runtime";
import { CONTENT_TYPE } from "./exposition";
import { getMetrics } from "./metrics";

function authorize(req: Request, runtime: Runtime): void {
  const expected = runtime.env.SWITCHYARD_METRICS_TOKEN;
  if (!expected) return;
  const token = bearerToken(req);
  if (token && (safeEqual(token, expected) || runtime.verifyAdminToken(token))) return;
  throw unauthorized("Send the metrics token (SWITCHYARD_METRICS_TOKEN) as 'Authorization: Bearer …'.");
}

export function metricsResponse(req: Request): Response {
  let runtime: Runtime | undefined;
  try {
    runtime = getRuntime();
    authorize(req, runtime);
    const now = runtime.now();
    const names = new Map(listTeams().map((t) => [t.id, t.name]));
    const breakers = [...runtime.catalog.get().models.values()].map((m) => ({ model: m.name, state: runtime!.gateway.breakers.state(m.id, now).state }));
    const body = getMetrics().render({ teamName: (id) => names.get(id) ?? id, breakers });
    return new Response(body, { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
  } catch (err) {
    return toErrorResponse(err, runtime?.log ?? console);
  }
}
