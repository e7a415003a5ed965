// The events queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/events";
import { facade } from "../dialect";

export const { insertEvent, listEvents } = facade("events", sqlite);
