import { testProvider } from "@/lib/admin/provider-test";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const POST = apiRoute({ auth: "admin", params: ["id"] }, ({ runtime, params }) => testProvider(runtime.catalog, params.id, runtime.providerTest));
