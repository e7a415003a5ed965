import { createUser, listUsers } from "@/lib/admin/users";
import { apiRoute } from "@/lib/server/handler";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ auth: "admin" }, () => listUsers());
export const POST = apiRoute({ auth: "admin", status: 201 }, async ({ ctx, runtime, json }) => createUser(ctx, await runtime.auth(), await json()));
