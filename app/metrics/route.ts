import { metricsResponse } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return metricsResponse(req);
}
