import { modelsForViewer } from "@/lib/chat/me";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session" }, async ({ viewer, runtime }) => modelsForViewer(viewer, await runtime.catalog.get()));
