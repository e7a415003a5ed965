import { createUser, listUsers } from "@/lib/admin/users";
import { adminRoute } from "@/lib/server/admin-route";
import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export const GET = adminRoute(() => listUsers());
export const POST = adminRoute(async ({ ctx, json }) => createUser(ctx, await getRuntime().auth(), await json()), { status: 201 });
