import { handleAuthRequest } from "@/lib/server/auth-route";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

// The auth library answers sign-in, sign-out and session under /api/auth/*.
const handle = (req: Request) => handleAuthRequest(getRuntime(), req);

export const GET = handle;
export const POST = handle;
