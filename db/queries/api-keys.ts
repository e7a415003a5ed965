// The api-keys queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/api-keys";
import { facade } from "../dialect";
export type * from "../queries-sqlite/api-keys";

export const { listKeysByTeam, getApiKeyById, insertApiKey, revokeApiKey, rotateApiKey } = facade("api-keys", sqlite);
