/**
 * Runs the evaluator over every running route on its interval and applies what it decides. All
 * state lives in the database (route row, usage rows, events), so a restart picks up where it
 * left off, and a decision is applied only if the route is still where it was judged.
 */
import { getRouteById, listRoutes, readRouteUsageAfter, updateRouteWithEvent } from "@/db/queries/routes";
import type { RouteRow } from "@/db/schema";
import type { Logger } from "../gateway/types";
import { evaluate, type Decision } from "./evaluator";
import { applyAction, guardrailsOf } from "./route-state";
import { addToWindows, emptyWindows, type RouteWindows } from "./windows";

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface RolloutLoopDeps {
  now: () => number;
  log: Logger;
  /** Makes the gateway see new weights at once. */
  onRouteChanged: () => void;
  /** Rows queued behind requests must be in the table before a window is read. */
  flushUsage: () => void | Promise<void>;
  /**
   * Whether this instance is the one that evaluates a route now. Several instances share one
   * database: each route has one leader (a lease in shared state), so a decision is made once per
   * interval. Alone, an instance always leads.
   */
  leads?: (routeId: string, now: number) => Promise<boolean>;
}

/**
 * Each running route's current-stage windows, kept between evaluations and topped up with the rows
 * written since: reading the whole stage every interval would cost more with every request the
 * stage has served (tens of milliseconds of blocked event loop per 10,000 rows). The database stays
 * the record: a new stage, or a process that has just started, reads the stage from the table once.
 */
export class StageWindows {
  private readonly entries = new Map<string, { stage: string; lastId: number; windows: RouteWindows }>();

  async of(row: RouteRow): Promise<RouteWindows> {
    const stage = `${row.stageIndex}@${row.stageStartedAt}`;
    let entry = this.entries.get(row.id);
    if (!entry || entry.stage !== stage) {
      entry = { stage, lastId: 0, windows: emptyWindows() };
      this.entries.set(row.id, entry);
    }
    const { rows, lastId } = await readRouteUsageAfter({ routeId: row.id, since: row.stageStartedAt, afterId: entry.lastId });
    addToWindows(entry.windows, rows);
    entry.lastId = lastId;
    return entry.windows;
  }

  /** Drops routes no longer running, so their samples are not held. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.entries.keys()) if (!ids.has(id)) this.entries.delete(id);
  }
}

export async function evaluateRoute(
  row: RouteRow,
  now: number,
  windowsOf: (row: RouteRow) => RouteWindows | Promise<RouteWindows> = (r) => new StageWindows().of(r),
): Promise<Decision> {
  const windows = await windowsOf(row);
  return evaluate({
    ...windows,
    guardrails: guardrailsOf(row),
    stageIndex: row.stageIndex,
    stages: row.stages,
    stageAgeMs: now - row.stageStartedAt,
    minStageMs: row.minStageSeconds * 1000,
    autoAdvance: row.autoAdvance,
  });
}

/** One evaluation of one route: returns the decision it applied or recorded. */
export async function tickRoute(deps: RolloutLoopDeps, id: string, stageWindows = new StageWindows()): Promise<Decision | null> {
  const row = await getRouteById({ id });
  if (!row || row.status !== "running" || !row.candidateModel) return null;
  const now = deps.now();
  const decision = await evaluateRoute(row, now, (r) => stageWindows.of(r));
  const lastDecision = { ...decision, at: now };
  if (decision.action === "hold") {
    await updateRouteWithEvent({ id, expect: { stageIndex: row.stageIndex, status: "running" }, patch: { lastEvaluatedAt: now, lastDecision }, event: null });
    return decision;
  }
  const { patch, event } = applyAction(row, decision.action, now, "evaluator", decision);
  const applied = await updateRouteWithEvent({
    id,
    expect: { stageIndex: row.stageIndex, status: "running" },
    patch: { ...patch, lastEvaluatedAt: now, lastDecision },
    event,
  });
  if (applied) {
    deps.log.info("route decision", { route: row.name, action: decision.action, rule: decision.rule });
    deps.onRouteChanged();
  }
  return decision;
}

/**
 * Ticks run one at a time, the next one `tickMs` after the last has finished, so a slow tick delays
 * the next rather than overlapping it; `tick()` (tests, manual runs) queues behind the one running.
 */
export function startRolloutLoop(deps: RolloutLoopDeps, tickMs = 1000): { stop(): Promise<void>; tick(): Promise<void> } {
  const stageWindows = new StageWindows();
  const tickOnce = async () => {
    const now = deps.now();
    const running = (await listRoutes()).filter((r) => r.status === "running" && r.candidateModel);
    stageWindows.keepOnly(new Set(running.map((r) => r.id)));
    const candidates = running.filter((r) => r.lastEvaluatedAt === null || now - r.lastEvaluatedAt >= r.evalIntervalSeconds * 1000);
    const led = deps.leads ? await Promise.all(candidates.map((r) => deps.leads!(r.id, now))) : null;
    const due = led ? candidates.filter((_, i) => led[i]) : candidates;
    if (due.length === 0) return;
    await deps.flushUsage();
    for (const r of due) {
      try {
        await tickRoute(deps, r.id, stageWindows);
      } catch (err) {
        deps.log.error("route evaluation failed", { route: r.name, error: message(err) });
      }
    }
  };
  let last: Promise<void> = Promise.resolve();
  const tick = (): Promise<void> => {
    const run = last.then(tickOnce).catch((err: unknown) => deps.log.error("rollout tick failed", { error: message(err) }));
    last = run;
    return run;
  };
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    timer = setTimeout(() => {
      timer = null;
      void tick().then(() => {
        if (!stopped) schedule();
      });
    }, tickMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      return last;
    },
    tick,
  };
}
