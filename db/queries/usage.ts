// The usage queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/usage";
import { facade } from "../dialect";

export const { insertUsageBatch, sumTeamSpendSince, existingRequestIds } = facade("usage", sqlite);
