/**
 * Runs the evaluator over every running route on its interval and applies what it decides. All
 * state lives in the database (route row, usage rows, events), so a restart picks up where it
 * left off, and a decision is applied only if the route is still where it was judged.
 */
import { getRouteById, listRouteUsageSince, listRoutes, updateRouteWithEvent } from "@/db/queries/routes";
import type { RouteRow } from "@/db/schema";
import type { Logger } from "../gateway/types";
import { evaluate, type Decision } from "./evaluator";
import { applyAction, guardrailsOf } from "./route-state";
import { buildWindows } from "./windows";

export interface RolloutLoopDeps {
  now: () => number;
  log: Logger;
  /** Makes the gateway see new weights at once. */
  onRouteChanged: () => void;
  /** Rows queued behind requests must be in the table before a window is read. */
  flushUsage: () => void;
}

export function evaluateRoute(row: RouteRow, now: number): Decision {
  const windows = buildWindows(listRouteUsageSince({ routeId: row.id, since: row.stageStartedAt }));
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
export function tickRoute(deps: RolloutLoopDeps, id: string): Decision | null {
  const row = getRouteById({ id });
  if (!row || row.status !== "running" || !row.candidateModel) return null;
  const now = deps.now();
  const decision = evaluateRoute(row, now);
  const lastDecision = { ...decision, at: now };
  if (decision.action === "hold") {
    updateRouteWithEvent({ id, expect: { stageIndex: row.stageIndex, status: "running" }, patch: { lastEvaluatedAt: now, lastDecision }, event: null });
    return decision;
  }
  const { patch, event } = applyAction(row, decision.action, now, "evaluator", decision);
  const applied = updateRouteWithEvent({
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

export function startRolloutLoop(deps: RolloutLoopDeps, tickMs = 1000): { stop(): void; tick(): void } {
  const tick = () => {
    const now = deps.now();
    const due = listRoutes().filter(
      (r) => r.status === "running" && r.candidateModel && (r.lastEvaluatedAt === null || now - r.lastEvaluatedAt >= r.evalIntervalSeconds * 1000),
    );
    if (due.length === 0) return;
    deps.flushUsage();
    for (const r of due) {
      try {
        tickRoute(deps, r.id);
      } catch (err) {
        deps.log.error("route evaluation failed", { route: r.name, error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return { stop: () => clearInterval(timer), tick };
}
