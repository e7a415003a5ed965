/** Reading a stored route as evaluator input, and the stored changes each decision makes. */
import type { NewEventRow, NewRouteRow, RouteRow } from "@/db/schema";
import { DEFAULT_GUARDRAILS, type Decision, type Guardrails } from "./evaluator";

export function guardrailsOf(row: Pick<RouteRow, "guardrails">): Guardrails {
  return { ...DEFAULT_GUARDRAILS, ...(row.guardrails as Partial<Guardrails>) };
}

export type RouteAction = "rollback" | "advance" | "promote" | "pause" | "resume";

/** The patch and audit event for an action taken on a route, by the evaluator or a person. */
export function applyAction(
  row: RouteRow,
  action: RouteAction,
  now: number,
  actor: string,
  decision?: Pick<Decision, "rule" | "reasons" | "numbers">,
): { patch: Partial<NewRouteRow>; event: NewEventRow } {
  const base = { type: `route.${action}`, subjectType: "route", subjectId: row.id, actor, createdAt: now };
  const from = { status: row.status, candidateWeight: row.candidateWeight, stageIndex: row.stageIndex, control: row.controlModel, candidate: row.candidateModel };
  const data = (to: Record<string, unknown>) => ({ from, to, ...(decision ? { rule: decision.rule, reasons: decision.reasons, numbers: decision.numbers } : {}) });
  switch (action) {
    case "rollback":
      return {
        patch: { status: "rolled_back", candidateWeight: 0, updatedAt: now },
        event: { ...base, type: "route.rolled_back", data: data({ status: "rolled_back", candidateWeight: 0 }) },
      };
    case "advance": {
      const stageIndex = Math.min(row.stageIndex + 1, row.stages.length - 1);
      const candidateWeight = row.stages[stageIndex]!;
      return {
        patch: { stageIndex, candidateWeight, stageStartedAt: now, updatedAt: now },
        event: { ...base, type: "route.advanced", data: data({ stageIndex, candidateWeight }) },
      };
    }
    case "promote":
      return {
        patch: { status: "promoted", controlModel: row.candidateModel ?? row.controlModel, candidateModel: null, candidateWeight: 0, updatedAt: now },
        event: { ...base, type: "route.promoted", data: data({ status: "promoted", control: row.candidateModel, candidate: null }) },
      };
    case "pause":
      return { patch: { status: "paused", updatedAt: now }, event: { ...base, type: "route.paused", data: data({ status: "paused" }) } };
    case "resume":
      // The stage clock restarts: paused time is not healthy time.
      return {
        patch: { status: "running", stageStartedAt: now, updatedAt: now },
        event: { ...base, type: "route.resumed", data: data({ status: "running" }) },
      };
  }
}
