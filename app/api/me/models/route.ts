import { modelsForViewer } from "@/lib/chat/me";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const GET = sessionRoute(({ viewer, runtime }) => modelsForViewer(viewer, runtime.catalog.get()));
