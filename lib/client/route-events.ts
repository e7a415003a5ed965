/** Human words for route decisions and audit events ("Rolled back by evaluator") and their key numbers. */
import { formatCount, formatDuration, formatFraction, formatMs, formatPercent, formatRatio } from "./format";
import type { RouteEvent, RouteStatus } from "./routes";

export interface DecisionView {
  action: string;
  rule: string;
  reasons: string[];
  numbers: Record<string, number | null>;
  at: number | string | null;
}

const STATUS_WORDS: Record<RouteStatus, string> = {
  running: "running",
  paused: "paused",
  rolled_back: "rolled back",
  promoted: "promoted",
};

export const statusWords = (status: RouteStatus): string => STATUS_WORDS[status] ?? String(status).replace(/_/g, " ");

const ACTION_WORDS: Record<string, string> = {
  hold: "Hold",
  rollback: "Roll back",
  advance: "Advance",
  promote: "Promote",
};

const RULE_WORDS: Record<string, string> = {
  absolute_error: "Candidate error rate above the cap",
  absolute_latency: "Candidate p95 latency above the cap",
  absolute_ttft: "Candidate p95 time to first token above the cap",
  sample_gate: "Waiting for enough candidate requests",
  comparative_error: "Candidate errors more than control",
  ratio: "Candidate slower or costlier than control",
  stage_time: "Healthy; the stage's minimum time has not passed",
  manual_advance: "Healthy; auto-advance is off",
  healthy: "Healthy",
};

export const actionWords = (action: string): string => ACTION_WORDS[action] ?? action;
export const ruleWords = (rule: string): string => RULE_WORDS[rule] ?? rule.replace(/_/g, " ");

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a stored decision (the route's lastDecision, or the rule/reasons/numbers of an event). */
export function toDecision(value: unknown): DecisionView | null {
  if (!isRecord(value) || typeof value.rule !== "string") return null;
  const numbers: Record<string, number | null> = {};
  if (isRecord(value.numbers)) {
    for (const [k, n] of Object.entries(value.numbers)) numbers[k] = typeof n === "number" ? n : null;
  }
  return {
    action: typeof value.action === "string" ? value.action : "",
    rule: value.rule,
    reasons: Array.isArray(value.reasons) ? value.reasons.filter((r): r is string => typeof r === "string") : [],
    numbers,
    at: typeof value.at === "number" || typeof value.at === "string" ? value.at : null,
  };
}

export interface KeyNumber {
  label: string;
  value: string;
}

/** The numbers a decision was made on, candidate first and control second where both exist. */
export function keyNumbers(n: Record<string, number | null>): KeyNumber[] {
  const out: KeyNumber[] = [];
  const has = (k: string) => n[k] !== undefined && n[k] !== null;
  const pair = (label: string, c: string, k: string, fmt: (x: number | null) => string) => {
    if (has(c) || has(k)) out.push({ label, value: `${fmt(n[c] ?? null)} / ${fmt(n[k] ?? null)}` });
  };
  const one = (label: string, k: string, fmt: (x: number | null) => string) => {
    if (has(k)) out.push({ label, value: fmt(n[k]!) });
  };
  pair("Requests (candidate / control)", "candidateRequests", "controlRequests", formatCount);
  pair("Errors (candidate / control)", "candidateErrors", "controlErrors", formatCount);
  pair("Error rate (candidate / control)", "candidateErrorRate", "controlErrorRate", (x) => formatFraction(x, 2));
  one("Candidate error rate, 95 % lower bound", "candidateErrorRateLowerBound", (x) => formatFraction(x, 2));
  // With few samples the bound is far below zero; its exact value then says nothing more than "no evidence".
  one("Error-rate excess over control, lower bound", "errorRateDifferenceLowerBound", (x) => (x !== null && x < 0 ? "below 0 %" : formatFraction(x, 2)));
  pair("p95 latency (candidate / control)", "candidateP95LatencyMs", "controlP95LatencyMs", formatMs);
  pair("p95 TTFT (candidate / control)", "candidateP95TtftMs", "controlP95TtftMs", formatMs);
  one("Latency ratio", "latencyRatio", formatRatio);
  one("TTFT ratio", "ttftRatio", formatRatio);
  one("Cost ratio", "costRatio", formatRatio);
  one("Time in stage", "stageAgeMs", formatDuration);
  return out;
}

export interface EventDescription {
  title: string;
  detail: string | null;
  decision: DecisionView | null;
}

const CHANGED_WORDS: Record<string, string> = {
  candidateWeight: "candidate weight",
  stages: "stages",
  guardrails: "guardrails",
  autoAdvance: "auto-advance",
  control: "control model",
  candidate: "candidate model",
  name: "name",
  stickyBy: "sticky key",
  evalIntervalSeconds: "evaluation interval",
  minStageSeconds: "minimum stage time",
};

function describeChange(key: string, value: unknown): string {
  const what = CHANGED_WORDS[key] ?? key;
  if (key === "candidateWeight" && typeof value === "number") return `${what} → ${formatPercent(value)}`;
  if (key === "stages" && Array.isArray(value)) return `${what} → ${value.join(", ")}`;
  if (key === "autoAdvance" && typeof value === "boolean") return `${what} ${value ? "on" : "off"}`;
  if (key === "guardrails" && isRecord(value)) return `${what} (${Object.keys(value).join(", ")})`;
  if (typeof value === "string" || typeof value === "number") return `${what} → ${value}`;
  return what;
}

export function describeEvent(e: RouteEvent): EventDescription {
  const by = ` by ${e.actor}`;
  const data = e.data;
  const to = isRecord(data.to) ? data.to : {};
  const from = isRecord(data.from) ? data.from : {};
  const decision = toDecision(data);
  switch (e.type) {
    case "route.created":
      return { title: `Created${by}`, detail: typeof data.candidate === "string" ? `${String(data.control)} → ${data.candidate}` : `${String(data.control ?? "")}`, decision: null };
    case "route.updated": {
      const changed = isRecord(data.changed) ? Object.entries(data.changed).map(([k, v]) => describeChange(k, v)) : [];
      return { title: `Settings changed${by}`, detail: changed.join("; ") || null, decision: null };
    }
    case "route.rolled_back":
      return {
        title: `Rolled back${by}`,
        detail: typeof from.candidateWeight === "number" ? `candidate weight ${formatPercent(from.candidateWeight)} → 0 %` : null,
        decision,
      };
    case "route.advanced":
      return {
        title: typeof to.candidateWeight === "number" ? `Advanced to ${formatPercent(to.candidateWeight)}${by}` : `Advanced${by}`,
        detail: typeof from.candidateWeight === "number" ? `from ${formatPercent(from.candidateWeight)}` : null,
        decision,
      };
    case "route.promoted":
      return { title: `Promoted${by}`, detail: typeof from.candidate === "string" ? `${from.candidate} now serves all traffic` : null, decision };
    case "route.paused":
      return { title: `Paused${by}`, detail: null, decision };
    case "route.resumed":
      return { title: `Resumed${by}`, detail: "the stage clock restarts", decision };
    case "route.deleted":
      return { title: `Deleted${by}`, detail: null, decision: null };
    default:
      return { title: `${e.type.replace(/^route\./, "").replace(/[._]/g, " ")}${by}`, detail: null, decision };
  }
}

/** What the decision panel should say for the route as it is now. */
export type DecisionState =
  | { kind: "ended"; status: "promoted" | "rolled_back"; event: RouteEvent | null; title: string; detail: string; decision: DecisionView | null }
  | { kind: "not_judged"; since: string }
  | { kind: "decided"; decision: DecisionView };

const toMs = (t: number | string) => (typeof t === "number" ? t : Date.parse(t));

export function decisionState(route: { status: RouteStatus; control: string; candidate: string | null; stageStartedAt: string; lastDecision: unknown; events?: RouteEvent[] }): DecisionState {
  if (route.status === "promoted" || route.status === "rolled_back") {
    const type = route.status === "promoted" ? "route.promoted" : "route.rolled_back";
    const event = [...(route.events ?? [])].sort((a, b) => b.id - a.id).find((e) => e.type === type) ?? null;
    const who = event ? (event.actor === "evaluator" ? "the evaluator" : event.actor) : null;
    const from = event && isRecord(event.data.from) ? event.data.from : {};
    if (route.status === "promoted") {
      const old = typeof from.control === "string" ? from.control : null;
      return {
        kind: "ended",
        status: "promoted",
        event,
        title: who ? `Promoted by ${who}` : "Promoted",
        detail: `${route.control} now serves all traffic${old ? ` instead of ${old}` : ""}. Start a new candidate to run another split.`,
        decision: event ? toDecision(event.data) : null,
      };
    }
    return {
      kind: "ended",
      status: "rolled_back",
      event,
      title: who ? `Rolled back by ${who}` : "Rolled back",
      detail: `All traffic goes to ${route.control}${route.candidate ? `; ${route.candidate} gets none` : ""}. Give a candidate a weight to try again.`,
      decision: event ? toDecision(event.data) : null,
    };
  }
  const d = toDecision(route.lastDecision);
  // A decision from before the current stage began judged a split that no longer exists.
  if (!d || (d.at !== null && toMs(d.at) < Date.parse(route.stageStartedAt))) return { kind: "not_judged", since: route.stageStartedAt };
  return { kind: "decided", decision: d };
}
