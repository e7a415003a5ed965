import { getRuntime } from "@/lib/server/runtime";

export const dynamic = "force-dynamic";

export function POST(req: Request) {
  return getRuntime().gateway.chatCompletions(req);
}
