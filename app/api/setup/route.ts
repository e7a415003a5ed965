import { toErrorResponse } from "@/lib/gateway/errors";
import { readJsonBody } from "@/lib/gateway/body";
import { completeSetup, needsSetup } from "@/lib/server/first-admin";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export function GET() {
  return Response.json({ needsSetup: needsSetup() });
}

/** One-time: creates the first admin while there are no users. */
export async function POST(req: Request) {
  const runtime = getRuntime();
  try {
    const user = await completeSetup(runtime, await readJsonBody(req, 64 * 1024));
    return Response.json(user, { status: 201 });
  } catch (err) {
    return toErrorResponse(err, runtime.log);
  }
}
