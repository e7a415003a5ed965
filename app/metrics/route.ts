import { metricsAccess, metricsResponse } from "@/lib/metrics/scrape";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: metricsAccess }, ({ runtime }) => metricsResponse(runtime));
