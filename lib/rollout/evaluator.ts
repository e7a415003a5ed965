/**
 * Decides what a running split does next from the stage's cumulative per-variant windows. Pure:
 * the same windows and settings always give the same decision, with the numbers that made it.
 */
import { errorRateDifferenceLowerBound, percentile, wilsonLowerBound } from "./statistics";

export interface Guardrails {
  /** Absolute cap on the candidate's error rate, as a fraction (0.05 = 5 %). */
  maxErrorRate: number;
  maxP95LatencyMs: number | null;
  maxP95TtftMs: number | null;
  /** Candidate requests needed in the stage before anything but the absolute error guard decides. */
  minSamples: number;
  /** Tolerated excess of the candidate's error rate over control's, as a fraction. */
  errorRateMargin: number;
  /** Candidate/control ratios above which the candidate is rolled back; null = report only. */
  maxLatencyRatio: number | null;
  maxTtftRatio: number | null;
  maxCostRatio: number | null;
}

export const DEFAULT_GUARDRAILS: Guardrails = {
  maxErrorRate: 0.1,
  maxP95LatencyMs: null,
  maxP95TtftMs: null,
  minSamples: 50,
  errorRateMargin: 0.05,
  maxLatencyRatio: 2,
  maxTtftRatio: 2,
  maxCostRatio: null,
};

export interface VariantWindow {
  requests: number;
  errors: number;
  latenciesMs: number[];
  ttftsMs: number[];
  costMicros: number;
}

export interface EvaluationInput {
  control: VariantWindow;
  candidate: VariantWindow;
  guardrails: Guardrails;
  stageIndex: number;
  stages: number[];
  stageAgeMs: number;
  minStageMs: number;
  autoAdvance: boolean;
}

export type Action = "rollback" | "hold" | "advance" | "promote";

export interface Decision {
  action: Action;
  rule: "absolute_error" | "absolute_latency" | "absolute_ttft" | "sample_gate" | "comparative_error" | "ratio" | "stage_time" | "manual_advance" | "healthy";
  reasons: string[];
  numbers: Record<string, number | null>;
}

/** Absolute guards need at least this many candidate requests before a rate means anything. */
export const MIN_ABSOLUTE_N = 10;
/** p95 guards need this many samples: fewer and the 95th percentile is just the maximum. */
export const MIN_PERCENTILE_N = 20;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export function summarize(w: VariantWindow) {
  return {
    requests: w.requests,
    errors: w.errors,
    errorRate: w.requests ? w.errors / w.requests : null,
    p95LatencyMs: percentile(w.latenciesMs, 95),
    p95TtftMs: percentile(w.ttftsMs, 95),
    costPerRequestMicros: w.requests ? w.costMicros / w.requests : null,
  };
}

export function evaluate(input: EvaluationInput): Decision {
  const { candidate: cand, control: ctrl, guardrails: g } = input;
  const c = summarize(cand);
  const k = summarize(ctrl);
  const wilson = wilsonLowerBound(cand.errors, cand.requests);
  const diffLower = errorRateDifferenceLowerBound({ errors: cand.errors, n: cand.requests }, { errors: ctrl.errors, n: ctrl.requests });
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const numbers: Decision["numbers"] = {
    candidateRequests: cand.requests,
    candidateErrors: cand.errors,
    candidateErrorRate: c.errorRate,
    candidateErrorRateLowerBound: wilson,
    controlRequests: ctrl.requests,
    controlErrors: ctrl.errors,
    controlErrorRate: k.errorRate,
    errorRateDifferenceLowerBound: Number.isFinite(diffLower) ? diffLower : null,
    candidateP95LatencyMs: c.p95LatencyMs,
    controlP95LatencyMs: k.p95LatencyMs,
    candidateP95TtftMs: c.p95TtftMs,
    controlP95TtftMs: k.p95TtftMs,
    latencyRatio: ratio(c.p95LatencyMs, k.p95LatencyMs),
    ttftRatio: ratio(c.p95TtftMs, k.p95TtftMs),
    costRatio: ratio(c.costPerRequestMicros, k.costPerRequestMicros),
    stageAgeMs: input.stageAgeMs,
  };
  const decide = (action: Action, rule: Decision["rule"], ...reasons: string[]): Decision => ({ action, rule, reasons, numbers });

  // 1. Absolute guards: the candidate is plainly bad, whatever control does.
  if (cand.requests >= MIN_ABSOLUTE_N && wilson > g.maxErrorRate) {
    return decide("rollback", "absolute_error", `candidate error rate ${pct(c.errorRate!)} (${cand.errors}/${cand.requests}); its 95 % lower bound ${pct(wilson)} is above the cap of ${pct(g.maxErrorRate)}`);
  }
  if (g.maxP95LatencyMs !== null && cand.latenciesMs.length >= MIN_PERCENTILE_N && c.p95LatencyMs! > g.maxP95LatencyMs) {
    return decide("rollback", "absolute_latency", `candidate p95 latency ${c.p95LatencyMs} ms is above the cap of ${g.maxP95LatencyMs} ms`);
  }
  if (g.maxP95TtftMs !== null && cand.ttftsMs.length >= MIN_PERCENTILE_N && c.p95TtftMs! > g.maxP95TtftMs) {
    return decide("rollback", "absolute_ttft", `candidate p95 time to first token ${c.p95TtftMs} ms is above the cap of ${g.maxP95TtftMs} ms`);
  }

  // 2. Sample gate.
  if (cand.requests < g.minSamples) {
    return decide("hold", "sample_gate", `${cand.requests} of ${g.minSamples} candidate requests needed in this stage`);
  }

  // 3. Comparative: anytime-valid bound on the error-rate difference, then ratios to control.
  if (diffLower > g.errorRateMargin) {
    return decide("rollback", "comparative_error", `candidate error rate exceeds control's by at least ${pct(diffLower)} (95 % anytime-valid bound), more than the ${pct(g.errorRateMargin)} margin`);
  }
  if (ctrl.requests >= g.minSamples) {
    const checks: Array<[string, number | null, number | null]> = [
      ["p95 latency", numbers.latencyRatio!, g.maxLatencyRatio],
      ["p95 time to first token", numbers.ttftRatio!, g.maxTtftRatio],
      ["cost per request", numbers.costRatio!, g.maxCostRatio],
    ];
    for (const [what, r, max] of checks) {
      if (r !== null && max !== null && r > max) return decide("rollback", "ratio", `candidate ${what} is ${r.toFixed(2)}× control's, above the ${max}× limit`);
    }
  }

  // 4. Healthy long enough → next stage, or promotion from the last.
  if (input.stageAgeMs < input.minStageMs) {
    return decide("hold", "stage_time", `healthy; ${Math.ceil((input.minStageMs - input.stageAgeMs) / 1000)} s left of the stage's minimum time`);
  }
  if (!input.autoAdvance) return decide("hold", "manual_advance", "healthy and ready; auto-advance is off");
  const last = input.stageIndex >= input.stages.length - 1;
  return last
    ? decide("promote", "healthy", `healthy at ${input.stages[input.stageIndex]} % for the stage's minimum time: promote the candidate`)
    : decide("advance", "healthy", `healthy at ${input.stages[input.stageIndex]} %: advance to ${input.stages[input.stageIndex + 1]} %`);
}
