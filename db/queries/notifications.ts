// The notifications queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/notifications";
import { facade } from "../dialect";

export const { listEventsOfTypes, countEventsOfTypesAfter, getLastReadEventId, markEventsReadUpTo, latestEventIdOfTypes } = facade("notifications", sqlite);
