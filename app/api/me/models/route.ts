import { modelsForViewer } from "@/lib/chat/me";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session" }, ({ viewer, runtime }) => modelsForViewer(viewer, runtime.catalog.get()));
