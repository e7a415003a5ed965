// The auth queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/auth";
import { facade } from "../dialect";
export { callersChangedHere } from "../queries-sqlite/auth";

export const { readCallersVersion, getCallerByKeyHash, getExpiryOfRefusedKey, getTeamLimits } = facade("auth", sqlite);
