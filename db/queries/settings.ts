// The settings queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/settings";
import { facade } from "../dialect";

export const { getSetting, setSetting } = facade("settings", sqlite);
