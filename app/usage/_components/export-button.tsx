"use client";
import { useRef, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatCount } from "@/lib/client/format";
import { downloadCsv, formatBytes, type CsvProgress } from "@/lib/client/usage/csv-download";
import type { UsageFilters } from "@/lib/client/usage/filters";
import { exportUrl, type GroupBy } from "@/lib/client/usage/reports";

type Shape = "raw" | GroupBy;

const SHAPES: Array<{ value: Shape; label: string }> = [
  { value: "raw", label: "Every request (raw rows)" },
  { value: "day", label: "Totals per day" },
  { value: "team", label: "Totals per team" },
  { value: "model", label: "Totals per model" },
  { value: "variant", label: "Totals per route variant" },
];

type State = { phase: "idle" } | { phase: "running"; progress: CsvProgress } | { phase: "done"; rows: number; bytes: number; filename: string } | { phase: "failed"; message: string };

/**
 * Downloads exactly what the filters show. Raw exports can be large, so the body is read as it
 * streams, with rows and bytes counted against the number of requests the totals report.
 */
export function ExportButton(props: { filters: UsageFilters; expectedRows: number | null }) {
  const [shape, setShape] = useState<Shape>("raw");
  const [state, setState] = useState<State>({ phase: "idle" });
  const abort = useRef<AbortController | null>(null);

  async function run() {
    const controller = new AbortController();
    abort.current = controller;
    setState({ phase: "running", progress: { bytes: 0, rows: 0, done: false } });
    const f = props.filters;
    const url = shape === "raw" ? exportUrl(f, "raw", "day") : exportUrl(f, "grouped", shape);
    try {
      const result = await downloadCsv(url, {
        signal: controller.signal,
        fallbackName: `switchyard-usage-${f.from}-to-${f.to}${shape === "raw" ? "" : `-by-${shape}`}.csv`,
        onProgress: (progress) => setState({ phase: "running", progress }),
      });
      setState({ phase: "done", ...result });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") setState({ phase: "idle" });
      else setState({ phase: "failed", message: errorMessage(err) });
    } finally {
      abort.current = null;
    }
  }

  const running = state.phase === "running";
  const expected = shape === "raw" ? props.expectedRows : null;
  return (
    <div className="export" data-testid="export">
      <label htmlFor="export-shape" className="visually-hidden">
        Rows to export
      </label>
      <select id="export-shape" value={shape} onChange={(e) => setShape(e.target.value as Shape)} disabled={running}>
        {SHAPES.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </select>
      {running ? (
        <button type="button" className="button" onClick={() => abort.current?.abort()}>
          Cancel
        </button>
      ) : (
        <button type="button" className="button button-primary" onClick={() => void run()}>
          Export CSV
        </button>
      )}
      <div className="export-status" role="status" aria-live="polite" data-testid="export-status">
        {state.phase === "running" ? (
          <>
            {expected ? <progress max={expected} value={Math.min(state.progress.rows, expected)} /> : <progress />}
            <span>
              {formatCount(state.progress.rows)}
              {expected ? ` of ${formatCount(expected)}` : ""} rows · {formatBytes(state.progress.bytes)}
            </span>
          </>
        ) : state.phase === "done" ? (
          <span className="saved">
            Saved {state.filename}: {formatCount(state.rows)} rows, {formatBytes(state.bytes)}
          </span>
        ) : state.phase === "failed" ? (
          <span className="field-error">Export failed: {state.message}</span>
        ) : null}
      </div>
    </div>
  );
}
