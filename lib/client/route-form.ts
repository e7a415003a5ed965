/**
 * The route edit form: text values from a route, validation as the user types, and the PATCH body
 * holding only what changed (a PATCH with candidateWeight restarts the stage, so unchanged fields
 * are never sent).
 */
import type { RouteView } from "./routes";

export interface RouteFormValues {
  candidateWeight: string;
  stages: string;
  maxErrorRatePct: string;
  maxP95LatencyMs: string;
  maxP95TtftMs: string;
  minSamples: string;
  errorRateMarginPct: string;
  autoAdvance: boolean;
}

export type RouteFormField = keyof RouteFormValues;
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

const MAX_STAGES = 20;
const MAX_MS = 3_600_000;
const MAX_SAMPLES = 10_000_000;

/** 0.1 → "10"; rounding hides binary noise like 0.07 * 100 = 7.000000000000001. */
const fractionToPct = (f: number) => String(Number((f * 100).toFixed(4)));
const pctToFraction = (p: number) => Number((p / 100).toFixed(6));

export function routeFormValues(route: RouteView): RouteFormValues {
  const g = route.guardrails;
  return {
    candidateWeight: String(route.candidateWeight),
    stages: route.stages.join(", "),
    maxErrorRatePct: fractionToPct(g.maxErrorRate),
    maxP95LatencyMs: g.maxP95LatencyMs === null ? "" : String(g.maxP95LatencyMs),
    maxP95TtftMs: g.maxP95TtftMs === null ? "" : String(g.maxP95TtftMs),
    minSamples: String(g.minSamples),
    errorRateMarginPct: fractionToPct(g.errorRateMargin),
    autoAdvance: route.autoAdvance,
  };
}

/** A number typed by a person: "" is null, anything that is not a plain decimal is NaN. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : Number.NaN;
}

export function parseStages(text: string): { stages: number[] } | { error: string } {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length === 1 && parts[0] === "") return { error: "Enter at least one stage, e.g. 5, 25, 50, 100" };
  const stages = parts.map(parseNumber);
  if (stages.some((s) => s === null || Number.isNaN(s))) return { error: "Stages must be numbers separated by commas" };
  const values = stages as number[];
  if (values.some((s) => s <= 0 || s > 100)) return { error: "Each stage must be above 0 and at most 100" };
  if (values.some((s, i) => i > 0 && s <= values[i - 1]!)) return { error: "Stages must be strictly increasing" };
  if (values.length > MAX_STAGES) return { error: `At most ${MAX_STAGES} stages` };
  return { stages: values };
}

function percentField(text: string, label: string): { value?: number; error?: string } {
  const n = parseNumber(text);
  if (n === null || Number.isNaN(n) || n < 0 || n > 100) return { error: `${label} must be between 0 and 100 %` };
  return { value: n };
}

function msCap(text: string, label: string): { value?: number | null; error?: string } {
  const n = parseNumber(text);
  if (n === null) return { value: null };
  if (!Number.isInteger(n) || n < 1 || n > MAX_MS) return { error: `${label} must be whole milliseconds from 1 to ${MAX_MS}, or blank for no cap` };
  return { value: n };
}

export interface RouteFormResult {
  errors: FieldErrors<RouteFormField>;
  /** Only the changed fields, in the API's units; empty when nothing changed. */
  patch: Record<string, unknown>;
}

export function validateRouteForm(v: RouteFormValues, route: RouteView): RouteFormResult {
  const errors: FieldErrors<RouteFormField> = {};
  const patch: Record<string, unknown> = {};
  const current = routeFormValues(route);

  if (route.candidate) {
    const w = parseNumber(v.candidateWeight);
    if (w === null) errors.candidateWeight = "Enter a weight between 0 and 100";
    else if (Number.isNaN(w)) errors.candidateWeight = "Weight must be a number";
    else if (w < 0 || w > 100) errors.candidateWeight = "Weight must be between 0 and 100";
    else if (w !== route.candidateWeight) patch.candidateWeight = w;
  }

  const stages = parseStages(v.stages);
  if ("error" in stages) errors.stages = stages.error;
  else if (stages.stages.join(",") !== route.stages.join(",")) patch.stages = stages.stages;

  const guardrails: Record<string, unknown> = {};
  const maxErrorRate = percentField(v.maxErrorRatePct, "Max error rate");
  if (maxErrorRate.error) errors.maxErrorRatePct = maxErrorRate.error;
  else if (maxErrorRate.value !== parseNumber(current.maxErrorRatePct)) guardrails.maxErrorRate = pctToFraction(maxErrorRate.value!);

  const latency = msCap(v.maxP95LatencyMs, "p95 latency");
  if (latency.error) errors.maxP95LatencyMs = latency.error;
  else if (latency.value !== route.guardrails.maxP95LatencyMs) guardrails.maxP95LatencyMs = latency.value;

  const ttft = msCap(v.maxP95TtftMs, "p95 time to first token");
  if (ttft.error) errors.maxP95TtftMs = ttft.error;
  else if (ttft.value !== route.guardrails.maxP95TtftMs) guardrails.maxP95TtftMs = ttft.value;

  const minSamples = parseNumber(v.minSamples);
  if (minSamples === null || !Number.isInteger(minSamples) || minSamples < 1 || minSamples > MAX_SAMPLES) {
    errors.minSamples = "Min samples must be a whole number of at least 1";
  } else if (minSamples !== route.guardrails.minSamples) guardrails.minSamples = minSamples;

  const margin = percentField(v.errorRateMarginPct, "Error-rate margin");
  if (margin.error) errors.errorRateMarginPct = margin.error;
  else if (margin.value !== parseNumber(current.errorRateMarginPct)) guardrails.errorRateMargin = pctToFraction(margin.value!);

  if (Object.keys(guardrails).length) patch.guardrails = guardrails;
  if (v.autoAdvance !== route.autoAdvance) patch.autoAdvance = v.autoAdvance;
  return { errors, patch };
}

const PARAM_FIELDS: Record<string, RouteFormField> = {
  candidateWeight: "candidateWeight",
  stages: "stages",
  "guardrails.maxErrorRate": "maxErrorRatePct",
  "guardrails.maxP95LatencyMs": "maxP95LatencyMs",
  "guardrails.maxP95TtftMs": "maxP95TtftMs",
  "guardrails.minSamples": "minSamples",
  "guardrails.errorRateMargin": "errorRateMarginPct",
  autoAdvance: "autoAdvance",
};

/** The form field the server's `param` names ("stages[2]" is the stages field), or null. */
export function fieldForParam(param: string | null): RouteFormField | null {
  if (!param) return null;
  return PARAM_FIELDS[param.replace(/\[\d+\]$/, "")] ?? null;
}
