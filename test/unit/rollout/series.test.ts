import { describe, expect, it } from "vitest";
import { bucketSeries } from "@/lib/rollout/series";

const ok = (variant: string, createdAt: number) => ({ variant, createdAt, status: "ok", httpStatus: 200, errorType: null, fallbackUsed: false, latencyMs: 100, ttftMs: 10, costMicros: 1 });

describe("bucketSeries by model", () => {
  it("keeps history with the model that served it across a promotion", () => {
    const timeline = [
      { at: 0, control: "old", candidate: "new" },
      { at: 30_000, control: "new", candidate: null },
    ];
    const rows = [ok("control", 5_000), ok("candidate", 6_000), ok("control", 45_000)];
    const { series, control } = bucketSeries(rows, 0, 60_000, 20_000, timeline);
    expect(control.map((p) => p.requests)).toEqual([1, 0, 1]);
    const byKey = Object.fromEntries(series.map((s) => [s.key, s.points.map((p) => p?.requests ?? null)]));
    expect(byKey).toEqual({ "control:new": [null, 0, 1], "control:old": [1, 0, null], "candidate:new": [1, 0, null] });
    expect(series.find((s) => s.key === "control:new")!.current).toBe(true);
    expect(series.find((s) => s.key === "control:old")!.current).toBe(false);
  });

  it("leaves a gap, not a zero error rate, in a bucket with no requests", () => {
    const { series } = bucketSeries([ok("control", 1_000)], 0, 40_000, 20_000, [{ at: 0, control: "a", candidate: null }]);
    expect(series[0]!.points.map((p) => p?.errorRate ?? null)).toEqual([0, null]);
  });

  it("draws nothing before the route existed", () => {
    const { series } = bucketSeries([ok("control", 45_000)], 0, 60_000, 20_000, [{ at: 30_000, control: "a", candidate: "b" }]);
    const byKey = Object.fromEntries(series.map((s) => [s.key, s.points.map((p) => p?.requests ?? null)]));
    expect(byKey).toEqual({ "control:a": [null, 0, 1], "candidate:b": [null, 0, 0] });
  });
});
