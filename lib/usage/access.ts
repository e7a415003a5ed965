/**
 * What a usage request may see: an admin (token or admin session) every team, a team API key its
 * own team only, whatever it asks for. Who is calling is decided by the route (server/access.ts).
 */
import { forbidden } from "../gateway/errors";
import type { KeyScope } from "../server/access";
import type { Runtime } from "../server/runtime";

export type UsageScope = KeyScope;

/** The team a request is limited to: a team key's own; asking for another team is refused, not silently narrowed. */
export function scopedTeamId(scope: UsageScope, requested: string | undefined): string | undefined {
  if (scope.kind === "admin") return requested;
  if (requested !== undefined && requested !== scope.teamId) throw forbidden("A team API key can only read its own team's usage.");
  return scope.teamId;
}

/** The moment a usage answer is as of, with the rows still queued behind finished requests written first. */
export async function asOfNow(runtime: Pick<Runtime, "usage" | "now">): Promise<number> {
  await runtime.usage.flush();
  return runtime.now();
}
