// The response-cache queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/response-cache";
import { facade } from "../dialect";

export const { takeCacheEntry, putCacheEntry, cacheBytes, evictCacheEntries } = facade("response-cache", sqlite);
