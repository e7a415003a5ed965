import { describe, expect, it } from "vitest";
import { DEFAULT_GUARDRAILS, evaluate, type EvaluationInput, type VariantWindow } from "@/lib/rollout/evaluator";

function win(requests: number, errors: number, latency = 100, ttft = 50, costPer = 10): VariantWindow {
  const ok = requests - errors;
  return {
    requests,
    errors,
    latenciesMs: Array.from({ length: ok }, () => latency),
    ttftsMs: Array.from({ length: ok }, () => ttft),
    costMicros: requests * costPer,
  };
}

function input(over: Partial<EvaluationInput>): EvaluationInput {
  return {
    control: win(500, 5),
    candidate: win(100, 1),
    guardrails: { ...DEFAULT_GUARDRAILS, maxErrorRate: 0.1, minSamples: 50, errorRateMargin: 0.05 },
    stageIndex: 0,
    stages: [5, 25, 50, 100],
    stageAgeMs: 60_000,
    minStageMs: 30_000,
    autoAdvance: true,
    ...over,
  };
}

describe("absolute guard", () => {
  it("rolls back 3 errors in 10 requests against a 10 % cap", () => {
    const d = evaluate(input({ candidate: win(10, 3) }));
    expect(d.action).toBe("rollback");
    expect(d.rule).toBe("absolute_error");
    expect(d.numbers.candidateErrorRateLowerBound).toBeCloseTo(0.1078, 4);
  });

  it("does not roll back 1 error in 200", () => {
    const d = evaluate(input({ candidate: win(200, 1) }));
    expect(d.action).not.toBe("rollback");
  });

  it("needs 10 requests before an error rate can decide", () => {
    // 3 of 9 is a high rate but too few to judge; the sample gate holds.
    const d = evaluate(input({ candidate: win(9, 3) }));
    expect(d).toMatchObject({ action: "hold", rule: "sample_gate" });
  });

  it("rolls back on p95 latency and TTFT caps with enough samples only", () => {
    const g = { ...DEFAULT_GUARDRAILS, maxP95LatencyMs: 1000, maxP95TtftMs: 300, maxLatencyRatio: null, maxTtftRatio: null };
    expect(evaluate(input({ guardrails: g, candidate: win(25, 0, 1500) }))).toMatchObject({ action: "rollback", rule: "absolute_latency" });
    expect(evaluate(input({ guardrails: g, candidate: win(25, 0, 200, 400) }))).toMatchObject({ action: "rollback", rule: "absolute_ttft" });
    // 19 samples: not enough for a p95.
    expect(evaluate(input({ guardrails: g, candidate: win(19, 0, 1500) })).rule).toBe("sample_gate");
  });
});

describe("sample gate", () => {
  it("holds while the candidate has fewer than minSamples", () => {
    const d = evaluate(input({ candidate: win(49, 0) }));
    expect(d).toMatchObject({ action: "hold", rule: "sample_gate" });
    expect(d.reasons[0]).toContain("49 of 50");
  });
});

describe("comparative test", () => {
  it("rolls back when the anytime-valid bound on the difference passes the margin", () => {
    const guardrails = { ...DEFAULT_GUARDRAILS, maxErrorRate: 0.1, minSamples: 50, errorRateMargin: 0.02 };
    // 4 % vs 1 % at n = 2000 each: 0.03 − 2 × radius(2000, 0.025) = 0.03 − 2 × 0.0376 < 0.02 → no rollback.
    const close = evaluate(input({ guardrails, candidate: win(2000, 80), control: win(2000, 20) }));
    expect(close.action).not.toBe("rollback");
    expect(close.numbers.errorRateDifferenceLowerBound).toBeCloseTo(-0.0453, 3);
    // 9 % vs 0.5 % at n = 10000: under the cap's Wilson bound (0.0846 < 0.1), but
    // 0.085 − 2 × radius(10000, 0.025) = 0.085 − 2 × 0.01782 = 0.0494 > 0.02 → rollback.
    const worse = evaluate(input({ guardrails, candidate: win(10_000, 900), control: win(10_000, 50) }));
    expect(worse).toMatchObject({ action: "rollback", rule: "comparative_error" });
    expect(worse.numbers.candidateErrorRateLowerBound).toBeLessThan(0.1);
    expect(worse.numbers.errorRateDifferenceLowerBound).toBeCloseTo(0.0494, 3);
  });

  it("rolls back when latency is far above control's", () => {
    const d = evaluate(input({ candidate: win(100, 0, 500), control: win(100, 0, 100) }));
    expect(d).toMatchObject({ action: "rollback", rule: "ratio" });
    expect(d.numbers.latencyRatio).toBe(5);
  });
});

describe("advance and promote", () => {
  it("holds a healthy stage until its minimum time has passed", () => {
    expect(evaluate(input({ stageAgeMs: 10_000 }))).toMatchObject({ action: "hold", rule: "stage_time" });
  });

  it("advances a healthy stage and promotes from the last", () => {
    expect(evaluate(input({}))).toMatchObject({ action: "advance", rule: "healthy" });
    expect(evaluate(input({ stageIndex: 3 }))).toMatchObject({ action: "promote" });
  });

  it("holds when auto-advance is off", () => {
    expect(evaluate(input({ autoAdvance: false }))).toMatchObject({ action: "hold", rule: "manual_advance" });
  });
});
