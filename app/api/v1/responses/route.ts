import { fromWebRequest, toWebResponse } from "@/lib/gateway/exchange";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

// The custom server answers this door itself (lib/server/api-door.ts); this handler serves the same
// gateway call when Next.js runs on its own.
export async function POST(req: Request) {
  const { gateway } = await getRuntime();
  return toWebResponse(await gateway.responses(fromWebRequest(req)));
}
