// The models queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/models";
import { facade } from "../dialect";

export const { listModels, getModelById, getModelByName, listExistingModelNames, insertModel, updateModel, deleteModel } = facade("models", sqlite);
