import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILE, resolveProfile, simProfileSchema } from "@/lib/simulator/profile";

describe("resolveProfile", () => {
  it("layers partial profiles over the defaults, later layers winning", () => {
    expect(resolveProfile()).toEqual(DEFAULT_PROFILE);
    const profile = resolveProfile({ ttftMs: 5, seed: 3 }, undefined, { ttftMs: 7, tokensPerSecond: undefined });
    expect(profile).toEqual({ ...DEFAULT_PROFILE, ttftMs: 7, seed: 3 });
  });
});

describe("simProfileSchema", () => {
  it("accepts a partial profile", () => {
    expect(simProfileSchema.parse({ errorRate: 0.5, outputTokens: 10 })).toEqual({ errorRate: 0.5, outputTokens: 10 });
    expect(simProfileSchema.parse({})).toEqual({});
  });

  it.each([
    [{ errorRate: 1.5 }],
    [{ cutRate: -0.1 }],
    [{ ttftMs: -1 }],
    [{ tokensPerSecond: 0 }],
    [{ ttftMs: 10_000_000 }],
    [{ outputTokens: 2.5 }],
    [{ seed: "x" }],
    [{ unknown: 1 }],
  ])("rejects %j", (input) => {
    expect(simProfileSchema.safeParse(input).success).toBe(false);
  });
});
