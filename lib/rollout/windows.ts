/** Turns a route's usage rows into per-variant windows, deciding what counts against a variant. */
import type { VariantWindow } from "./evaluator";

export interface WindowRow {
  variant: string | null;
  status: string;
  httpStatus: number;
  errorType: string | null;
  fallbackUsed: boolean;
  latencyMs: number;
  ttftMs: number | null;
  costMicros: number;
}

const UPSTREAM_FAULTS = new Set(["timeout", "stream_cut", "unparseable_output", "upstream_error"]);

/**
 * Rows the gateway refused (auth, validation, its own rate limits and budgets) or the client
 * abandoned say nothing about the model and are left out. An error is an upstream 5xx, timeout,
 * mid-stream cut or unparseable output — or a fallback, since the variant's own model failed first.
 */
export function classify(row: WindowRow): "skip" | "ok" | "error" {
  if (row.status === "rejected" || row.status === "rate_limited" || row.status === "budget_exceeded" || row.status === "aborted") return "skip";
  if (row.fallbackUsed) return "error";
  if (row.status === "ok") return "ok";
  if (row.httpStatus >= 500 || (row.errorType !== null && UPSTREAM_FAULTS.has(row.errorType))) return "error";
  return "skip";
}

export interface RouteWindows {
  control: VariantWindow;
  candidate: VariantWindow;
}

const empty = (): VariantWindow => ({ requests: 0, errors: 0, latenciesMs: [], ttftsMs: [], costMicros: 0 });

export const emptyWindows = (): RouteWindows => ({ control: empty(), candidate: empty() });

/** Adds rows to windows built so far (a stage's window only ever grows). */
export function addToWindows(out: RouteWindows, rows: readonly WindowRow[]): RouteWindows {
  for (const row of rows) {
    if (row.variant !== "control" && row.variant !== "candidate") continue;
    const kind = classify(row);
    if (kind === "skip") continue;
    const w = out[row.variant];
    w.requests++;
    w.costMicros += row.costMicros;
    if (kind === "error") {
      w.errors++;
      continue;
    }
    w.latenciesMs.push(row.latencyMs);
    if (row.ttftMs !== null) w.ttftsMs.push(row.ttftMs);
  }
  return out;
}

export function buildWindows(rows: readonly WindowRow[]): RouteWindows {
  return addToWindows(emptyWindows(), rows);
}
