import { testProvider } from "@/lib/admin/provider-test";
import { adminRoute } from "@/lib/server/admin-route";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export const POST = adminRoute<{ id: string }>(({ params }) => {
  const runtime = getRuntime();
  return testProvider(runtime.catalog, params.id, runtime.providerTest);
});
