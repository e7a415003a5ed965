import { describe, expect, it } from "vitest";
import { decisionState } from "@/lib/client/route-events";
import type { RouteEvent } from "@/lib/client/routes";

const event = (id: number, type: string, data: Record<string, unknown>, actor = "admin@example.com"): RouteEvent =>
  ({ id, type, actor, createdAt: "2026-01-01T10:00:00.000Z", subjectType: "route", subjectId: "r", data }) as unknown as RouteEvent;

const waiting = { action: "hold", rule: "sample_gate", reasons: [], numbers: {}, at: Date.parse("2026-01-01T09:00:00Z") };

describe("decisionState", () => {
  it("says a promotion happened instead of repeating the last hold", () => {
    const s = decisionState({
      status: "promoted",
      control: "new",
      candidate: null,
      stageStartedAt: "2026-01-01T08:00:00Z",
      lastDecision: waiting,
      events: [event(1, "route.created", {}), event(2, "route.promoted", { from: { control: "old", candidate: "new" } })],
    });
    expect(s).toMatchObject({ kind: "ended", status: "promoted", title: "Promoted by admin@example.com" });
    expect(s.kind === "ended" && s.detail).toContain("new now serves all traffic instead of old");
  });

  it("names the evaluator when it rolled back", () => {
    const s = decisionState({ status: "rolled_back", control: "a", candidate: "b", stageStartedAt: "2026-01-01T08:00:00Z", lastDecision: waiting, events: [event(3, "route.rolled_back", { rule: "absolute_error" }, "evaluator")] });
    expect(s).toMatchObject({ kind: "ended", title: "Rolled back by the evaluator", decision: { rule: "absolute_error" } });
  });

  it("does not show a decision from before the current stage began", () => {
    const base = { status: "running" as const, control: "a", candidate: "b", lastDecision: waiting };
    expect(decisionState({ ...base, stageStartedAt: "2026-01-01T09:30:00Z" })).toEqual({ kind: "not_judged", since: "2026-01-01T09:30:00Z" });
    expect(decisionState({ ...base, stageStartedAt: "2026-01-01T08:30:00Z" }).kind).toBe("decided");
  });
});
