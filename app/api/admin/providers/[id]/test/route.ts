import { testProvider } from "@/lib/admin/provider-test";
import { adminRoute } from "@/lib/server/admin-route";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export const POST = adminRoute<{ id: string }>(({ params }) => testProvider(getRuntime().catalog, params.id));
