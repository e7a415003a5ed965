import { fromWebRequest, toWebResponse } from "@/lib/gateway/exchange";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

// Served by the custom server itself too (lib/server/api-door.ts).
export async function GET(req: Request) {
  const { gateway } = await getRuntime();
  return toWebResponse(await gateway.models(fromWebRequest(req)));
}
