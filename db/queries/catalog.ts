// The catalog queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/catalog";
import { facade } from "../dialect";

export const { listProvidersAndModels } = facade("catalog", sqlite);
