import { listEvents } from "@/lib/admin/events";
import { adminRoute } from "@/lib/server/admin-route";

export const dynamic = "force-dynamic";

export const GET = adminRoute(({ query }) => listEvents(query));
