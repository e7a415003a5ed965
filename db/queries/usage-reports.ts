// The usage-reports queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/usage-reports";
import { facade } from "../dialect";
export { RAW_USAGE_COLUMNS } from "../queries-sqlite/usage-reports";
export type * from "../queries-sqlite/usage-reports";

export const { groupUsage, spendBy, openRawUsageCursor, cacheSavings } = facade("usage-reports", sqlite);
