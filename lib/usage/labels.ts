/** Names the groups of a report: a stable key for code and a label for people. */
import { listRoutes } from "@/db/queries/routes";
import { listTeams } from "@/db/queries/teams";
import type { UsageGroupBy } from "@/db/queries/usage-reports";

export interface GroupName {
  key: string | null;
  label: string;
  /** Only when grouped by variant. */
  routeId?: string | null;
  variant?: string | null;
}

export const dayKey = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Names are looked up once per report; a deleted team or route keeps its id as its label. */
export async function groupNamer(groupBy: UsageGroupBy): Promise<(key: Array<string | number | null>) => GroupName> {
  switch (groupBy) {
    case "day":
      return ([day]) => ({ key: dayKey(Number(day)), label: dayKey(Number(day)) });
    case "team": {
      const names = new Map((await listTeams()).map((t) => [t.id, t.name]));
      return ([id]) => (id === null ? { key: null, label: "(no team)" } : { key: String(id), label: names.get(String(id)) ?? String(id) });
    }
    case "model":
      return ([model]) => (model === null ? { key: null, label: "(no model)" } : { key: String(model), label: String(model) });
    case "variant": {
      const names = new Map((await listRoutes()).map((r) => [r.id, r.name]));
      return ([routeId, variant]) => {
        if (routeId === null) return { key: null, label: "(no route)", routeId: null, variant: null };
        const route = names.get(String(routeId)) ?? String(routeId);
        const v = variant === null ? null : String(variant);
        return { key: `${routeId}:${v ?? ""}`, label: `${route} · ${v ?? "(none)"}`, routeId: String(routeId), variant: v };
      };
    }
  }
}
