import { describeMe, switchTeam } from "@/lib/chat/me";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "session" }, ({ viewer }) => describeMe(viewer));
export const PATCH = apiRoute({ auth: "session" }, async ({ viewer, json }) => switchTeam(viewer, await json()));
