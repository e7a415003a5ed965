// The providers queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/providers";
import { facade } from "../dialect";

export const { listProviders, getProviderById, getProviderByName, countProviders, insertProvider, updateProvider, deleteProvider, countModelsUsingProvider } = facade("providers", sqlite);
