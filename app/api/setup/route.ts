import { readJsonBody } from "@/lib/gateway/body";
import { toErrorResponse } from "@/lib/gateway/errors";
import { stampedClient } from "@/lib/server/client-address";
import { completeSetup, needsSetup, setupTokenRequired } from "@/lib/server/first-admin";
import { getRuntime } from "@/lib/server/runtime";
import { assertSameOrigin } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  const runtime = getRuntime();
  return Response.json({ needsSetup: needsSetup(), tokenRequired: setupTokenRequired(stampedClient(req.headers, runtime.clientStamped)) });
}

/** One-time: creates the first admin while there are no users; only from this server's own page. */
export async function POST(req: Request) {
  const runtime = getRuntime();
  try {
    assertSameOrigin(req, runtime.env.SWITCHYARD_PUBLIC_URL);
    const user = await completeSetup(runtime, await readJsonBody(req, 64 * 1024), stampedClient(req.headers, runtime.clientStamped));
    return Response.json(user, { status: 201 });
  } catch (err) {
    return toErrorResponse(err, runtime.log);
  }
}
