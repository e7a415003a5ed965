import { createModel, listModels } from "@/lib/admin/models";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, ({ ctx }) => listModels(ctx));
export const POST = apiRoute({ auth: "admin", status: 201 }, async ({ ctx, json }) => createModel(ctx, await json()));
