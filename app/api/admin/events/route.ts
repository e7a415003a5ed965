import { listEvents } from "@/lib/admin/events";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, ({ query }) => listEvents(query));
