import { describe, expect, it } from "vitest";
import { comparePair, parseTemperature, type Conversation, type ModelOption } from "@/lib/client/chat";

describe("a temperature as typed", () => {
  it("is a number from 0 to 2, a comma for the decimal point too, or blank for the model's default", () => {
    expect(parseTemperature("0.7")).toEqual({ value: 0.7 });
    expect(parseTemperature(" 1,5 ")).toEqual({ value: 1.5 });
    expect(parseTemperature("0")).toEqual({ value: 0 });
    expect(parseTemperature("2")).toEqual({ value: 2 });
    expect(parseTemperature("")).toEqual({ value: null });
  });

  it("is refused outside 0 to 2 or when not a number", () => {
    for (const text of ["2.1", "-0.1", "warm", "1e9", "NaN"]) expect(parseTemperature(text).error, text).toMatch(/^Enter a number from 0 to 2/);
  });
});


const model = (id: string): ModelOption => ({ id, kind: "model" });
const route = (id: string, control: string, candidate: string | null): ModelOption => ({ id, kind: "route", control, candidate });
const usedLast = (modelId: string): Conversation[] => [
  { id: "conv_1", title: "t", model: modelId, teamId: "team_1", systemPrompt: null, temperature: null, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" },
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
