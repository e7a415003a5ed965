import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return getRuntime().gateway.models(req);
}
