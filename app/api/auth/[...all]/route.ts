import { handleAuthRequest } from "@/lib/server/auth-route";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

// The auth library answers sign-in, sign-out and session under /api/auth/*, and checks origins itself.
const handle = apiRoute({ auth: "public" }, ({ runtime, req }) => handleAuthRequest(runtime, req));

export const GET = handle;
export const POST = handle;
