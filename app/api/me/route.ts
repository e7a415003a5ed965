import { describeMe, switchTeam } from "@/lib/chat/me";
import { sessionRoute } from "@/lib/server/session-route";

export const dynamic = "force-dynamic";

export const GET = sessionRoute(({ viewer }) => describeMe(viewer));
export const PATCH = sessionRoute(async ({ viewer, json }) => switchTeam(viewer, await json()));
