import { describe, expect, it } from "vitest";
import { comparePair, type Conversation, type ModelOption } from "@/lib/client/chat";

const model = (id: string): ModelOption => ({ id, kind: "model" });
const route = (id: string, control: string, candidate: string | null): ModelOption => ({ id, kind: "route", control, candidate });
const usedLast = (modelId: string): Conversation[] => [
  { id: "conv_1", title: "t", model: modelId, teamId: "team_1", createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" },
];

// What /api/me/models answers for the demo team: names sorted, the route among them.
const demo = [model("sim-balanced"), route("sim-chat", "sim-balanced", "sim-fast"), model("sim-fast"), model("sim-slow")];

describe("comparePair", () => {
  it("starts from the model used last, against another one", () => {
    expect(comparePair(demo, usedLast("sim-slow"))).toEqual(["sim-slow", "sim-balanced"]);
  });

  it("compares a route's two sides when the route was used last, or with no history", () => {
    expect(comparePair(demo, usedLast("sim-chat"))).toEqual(["sim-balanced", "sim-fast"]);
    expect(comparePair(demo, [])).toEqual(["sim-balanced", "sim-fast"]);
    const other = [model("a-model"), route("r", "z-control", "y-candidate"), model("y-candidate"), model("z-control")];
    expect(comparePair(other, undefined)).toEqual(["z-control", "y-candidate"]);
  });

  it("never picks a model the team may not use, nor the same model twice", () => {
    // The route's sides are not on the team's list, and the last model is gone from it.
    const limited = [model("m-one"), route("r", "hidden-a", "hidden-b"), model("m-two")];
    expect(comparePair(limited, usedLast("removed"))).toEqual(["m-one", "m-two"]);
    const sameSides = [model("m-one"), route("r", "m-one", "m-one"), model("m-two")];
    expect(comparePair(sameSides, usedLast("r"))).toEqual(["m-one", "m-two"]);
  });

  it("offers what there is when the team has fewer than two models", () => {
    expect(comparePair([model("only")], [])).toEqual(["only", "only"]);
    expect(comparePair([], [])).toEqual([undefined, undefined]);
  });
});
