// The usage-requests queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/usage-requests";
import { facade } from "../dialect";
export { requestLogSql } from "../queries-sqlite/usage-requests";
export type * from "../queries-sqlite/usage-requests";

export const { listUsageRequests, explainUsageRequests, sumUserSpendSince } = facade("usage-requests", sqlite);
