/**
 * The gateway's Prometheus metrics, fed by its observer (one call per finished request) and kept
 * in memory since the process started. One instance per process on globalThis, because the custom
 * server and Next's route bundles load their own copies of this module.
 *
 * Labels: `team` is the team's current name (its id once the team is deleted, "" for requests
 * that never authenticated); `model` is the served model's name ("" when none was chosen, e.g.
 * a refusal before routing). Renaming a team moves its series to the new name.
 */
import type { BreakerState } from "../gateway/circuit-breaker";
import type { UsageRecord } from "../gateway/types";
import { familyHeader, sampleLine } from "./exposition";
import { CounterFamily, HistogramFamily } from "./families";

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export interface ScrapeView {
  teamName(id: string): string;
  breakers: Array<{ model: string; state: BreakerState }>;
}

export class SwitchyardMetrics {
  private readonly requests = new CounterFamily("switchyard_requests_total", "Finished requests by outcome.", ["team", "model", "status"]);
  private readonly tokens = new CounterFamily("switchyard_tokens_total", "Tokens billed, prompt and completion.", ["team", "model", "kind"]);
  // Kept in integer micro-USD so the total is exact; exposed in USD.
  private readonly spend = new CounterFamily("switchyard_spend_usd_total", "Spend in USD.", ["team", "model"], 1e-6);
  private readonly rateLimited = new CounterFamily("switchyard_rate_limited_total", "Requests refused by the gateway's rate limits.", ["team"]);
  private readonly duration = new HistogramFamily(
    "switchyard_request_duration_seconds",
    "Whole-request latency of requests that reached a model.",
    ["model"],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
  );
  private readonly ttft = new HistogramFamily(
    "switchyard_ttft_seconds",
    "Time to first token of streamed requests.",
    ["model"],
    [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  private activeExports = 0;

  readonly observe = (row: UsageRecord): void => {
    const team = row.teamId ?? "";
    const model = row.servedModel ?? "";
    this.requests.inc([team, model, row.status]);
    if (row.promptTokens > 0) this.tokens.inc([team, model, "prompt"], row.promptTokens);
    if (row.completionTokens > 0) this.tokens.inc([team, model, "completion"], row.completionTokens);
    if (row.costMicros > 0) this.spend.inc([team, model], row.costMicros);
    if (row.status === "rate_limited") this.rateLimited.inc([team]);
    if (row.servedModel !== null) this.duration.observe([model], row.latencyMs / 1000);
    if (row.ttftMs !== null) this.ttft.observe([model], row.ttftMs / 1000);
  };

  exportStarted(): void {
    this.activeExports++;
  }

  exportEnded(): void {
    this.activeExports = Math.max(0, this.activeExports - 1);
  }

  render(view: ScrapeView): string {
    const relabel = (label: string, value: string) => (label === "team" && value !== "" ? view.teamName(value) : value);
    let out = "";
    for (const family of [this.requests, this.tokens, this.spend, this.rateLimited, this.duration, this.ttft]) out += family.render(relabel);
    out += familyHeader("switchyard_breaker_state", "gauge", "Circuit breaker per model: 0 closed, 1 half-open, 2 open.");
    for (const b of view.breakers) out += sampleLine("switchyard_breaker_state", [["model", b.model]], BREAKER_VALUE[b.state]);
    out += familyHeader("switchyard_usage_exports_active", "gauge", "Raw usage CSV exports currently streaming.");
    out += sampleLine("switchyard_usage_exports_active", [], this.activeExports);
    return out;
  }
}

const KEY = Symbol.for("switchyard.metrics");
type Holder = { [KEY]?: SwitchyardMetrics };

export function getMetrics(): SwitchyardMetrics {
  return ((globalThis as Holder)[KEY] ??= new SwitchyardMetrics());
}

/** The gateway observer the runtime installs. */
export const observeUsage = (row: UsageRecord): void => getMetrics().observe(row);
