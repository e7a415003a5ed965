/**
 * GET /api/usage/export.csv: the raw rows, streamed from a database cursor as the client reads
 * them, or the grouped report (one line per group; the JSON carries the totals).
 */
import { openRawUsageCursor, RAW_USAGE_COLUMNS, type RawUsageCursor, type RawUsageRow, type UsageFilter } from "@/db/queries/usage-reports";
import type { Logger } from "../gateway/types";
import { getMetrics } from "../metrics/metrics";
import type { UsageScope } from "./access";
import { boolCell, csvLine, isoCell, numberCell, ratioCell, textCell, usdCell } from "./csv";
import { csvStream, type LineSource } from "./csv-stream";
import { oneOf, parseUsageFilter } from "./filters";
import { GROUP_BYS, namedGroups } from "./report";
import { statsOf } from "./stats";

type RawColumn = (typeof RAW_USAGE_COLUMNS)[number];

const NUMERIC = new Set<RawColumn>(["attempts", "http_status", "prompt_tokens", "completion_tokens", "latency_ms", "ttft_ms"]);
const BOOLEAN = new Set<RawColumn>(["fallback_used", "stream"]);

function rawCell(column: RawColumn): (v: unknown) => string {
  if (column === "created_at") return isoCell;
  if (column === "cost_micros") return usdCell;
  if (NUMERIC.has(column)) return numberCell;
  if (BOOLEAN.has(column)) return boolCell;
  return textCell;
}

const RAW_HEADER = RAW_USAGE_COLUMNS.map((c) => (c === "cost_micros" ? "cost_usd" : c));
const RAW_CELLS = RAW_USAGE_COLUMNS.map(rawCell);

const GROUPED_HEADER = [
  "key", "label", "requests", "ok", "errors", "rate_limited", "budget_exceeded", "aborted", "rejected", "error_rate",
  "prompt_tokens", "completion_tokens", "cost_usd", "p50_latency_ms", "p95_latency_ms", "p50_ttft_ms", "p95_ttft_ms",
];

const DAY_MS = 86_400_000;

/** "2026-11-01" at midnight UTC, else "2026-11-01T123000Z": safe in a file name on every OS. */
function fileStamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 19).replaceAll(":", "")}Z`;
}

/**
 * The range's last day, as people name a range ("1 to 30 November"): `to` is exclusive, so a range
 * ending at midnight ends on the day before. A range ending mid-day ends at that instant.
 */
function endStamp(to: number): string {
  return to % DAY_MS === 0 ? fileStamp(to - DAY_MS) : fileStamp(to);
}

function csvResponse(body: ReadableStream<Uint8Array> | string, filter: UsageFilter): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="switchyard-usage-${fileStamp(filter.from)}-${endStamp(filter.to)}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** The cursor opens on the first read, so a response that is never read holds no connection. */
function rawSource(filter: UsageFilter): LineSource {
  let cursor: RawUsageCursor | null = null;
  let done = false;
  const metrics = getMetrics();
  const open = async () => {
    cursor = await openRawUsageCursor({ filter });
    metrics.exportStarted();
    // Closed while it was opening: release it at once.
    if (done) {
      await cursor.close();
      cursor = null;
      metrics.exportEnded();
    }
  };
  const cellsOf = (step: IteratorResult<RawUsageRow>) => (step.done ? null : RAW_CELLS.map((cell, i) => cell(step.value[i])));
  return {
    next() {
      if (done) return null;
      if (!cursor) return open().then(() => this.next());
      // SQLite's rows come synchronously: a promise per row would slow a long export for nothing.
      const step = cursor.rows.next();
      return step instanceof Promise ? step.then(cellsOf) : cellsOf(step);
    },
    close() {
      done = true;
      if (!cursor) return;
      const closing = cursor.close();
      cursor = null;
      metrics.exportEnded();
      return closing;
    },
  };
}

async function groupedCsv(filter: UsageFilter, groupBy: (typeof GROUP_BYS)[number]): Promise<string> {
  const lines = [csvLine(GROUPED_HEADER)];
  for (const { name, agg } of await namedGroups(filter, groupBy)) {
    const s = statsOf(agg);
    lines.push(
      csvLine([
        textCell(name.key), textCell(name.label),
        ...[s.requests, s.ok, s.errors, s.rateLimited, s.budgetExceeded, s.aborted, s.rejected].map(numberCell),
        ratioCell(s.errorRate), numberCell(s.promptTokens), numberCell(s.completionTokens), usdCell(agg.costMicros),
        ...[s.p50LatencyMs, s.p95LatencyMs, s.p50TtftMs, s.p95TtftMs].map(numberCell),
      ]),
    );
  }
  return lines.join("");
}

export async function exportUsageCsv(query: URLSearchParams, scope: UsageScope, now: number, log: Logger): Promise<Response> {
  const { filter } = await parseUsageFilter(query, scope, now);
  const rows = oneOf(query, "rows", ["raw", "grouped"] as const, "raw");
  if (rows === "grouped") return csvResponse(await groupedCsv(filter, oneOf(query, "groupBy", GROUP_BYS, "day")), filter);
  const body = csvStream(RAW_HEADER, rawSource(filter), (err) =>
    log.error("usage export failed", { error: err instanceof Error ? err.message : String(err) }),
  );
  return csvResponse(body, filter);
}
