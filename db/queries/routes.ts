// The routes queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/routes";
import { facade } from "../dialect";

export const { listRoutes, getRouteById, getRouteByName, insertRouteWithEvent, updateRouteWithEvent, deleteRouteWithEvent, listRouteUsageSince, readRouteUsageAfter, listRouteUsageBetween } = facade("routes", sqlite);
