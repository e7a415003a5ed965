"use client";
import { useState, type ReactNode } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatDateTime, formatMs } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import { rangeError } from "@/lib/client/usage/filters";
import { useRequestLog, type LogFilters, type RequestLogEntry } from "@/lib/client/usage/request-log";
import { USAGE_ENDPOINT_LABELS, USAGE_ENDPOINTS } from "@/lib/usage/endpoints";
import { OUTCOME_LABELS, OUTCOMES, outcomeLabel } from "@/lib/usage/outcomes";
import { RequestDetail } from "./request-detail";

export interface Option {
  value: string;
  label: string;
}

type SelectKey = "teamId" | "keyId" | "userId" | "model" | "route" | "status" | "endpoint";

const STATUS_OPTIONS: Option[] = OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] }));
const ENDPOINT_OPTIONS: Option[] = USAGE_ENDPOINTS.map((e) => ({ value: e, label: USAGE_ENDPOINT_LABELS[e] }));

/** Filters, the table of requests newest first with "Load older", and the detail of the one picked. */
export function RequestLog(props: {
  /** /api/usage/requests or /api/me/usage/requests. */
  base: string;
  filters: LogFilters;
  onChange: (patch: Partial<LogFilters>) => void;
  /** The dimension filters this view offers, with their choices; outcome and endpoint are always offered. */
  choices: Partial<Record<"teamId" | "keyId" | "userId" | "model" | "route", { label: string; all: string; options: Option[] }>>;
  /** Whether the table shows who called (team, key or user): not on one's own log. */
  showCaller?: boolean;
}) {
  const { filters: f, onChange } = props;
  const log = useRequestLog(props.base, f);
  const [selected, setSelected] = useState<RequestLogEntry | null>(null);
  const [draft, setDraft] = useState({ from: f.from, to: f.to });
  const [applied, setApplied] = useState({ from: f.from, to: f.to });
  if (applied.from !== f.from || applied.to !== f.to) {
    setApplied({ from: f.from, to: f.to });
    setDraft({ from: f.from, to: f.to });
  }
  const error = rangeError(draft.from, draft.to);
  const entries = log.data?.pages.flatMap((p) => p.data) ?? [];

  const setDate = (k: "from" | "to", value: string) => {
    const next = { ...draft, [k]: value };
    setDraft(next);
    if (!rangeError(next.from, next.to)) onChange(next);
  };

  const select = (k: SelectKey, label: string, all: string, options: Option[]): ReactNode => (
    <div className="filter" key={k}>
      <label htmlFor={`log-${k}`}>{label}</label>
      <select id={`log-${k}`} value={f[k]} onChange={(e) => onChange(k === "teamId" ? { teamId: e.target.value, keyId: "" } : { [k]: e.target.value })}>
        <option value="">{all}</option>
        {f[k] && !options.some((o) => o.value === f[k]) ? <option value={f[k]}>{f[k]}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  const dims = (["teamId", "keyId", "userId", "model", "route"] as const).flatMap((k) => {
    const c = props.choices[k];
    return c ? [select(k, c.label, c.all, c.options)] : [];
  });

  return (
    <>
      <section className="card filters" aria-label="Filters" data-testid="log-filters">
        <div className="filter-row">
          <div className="filter">
            <label htmlFor="log-from">From</label>
            <input id="log-from" type="date" value={draft.from} max={draft.to} aria-invalid={error ? true : undefined} onChange={(e) => setDate("from", e.target.value)} />
          </div>
          <div className="filter">
            <label htmlFor="log-to">To</label>
            <input id="log-to" type="date" value={draft.to} min={draft.from} aria-invalid={error ? true : undefined} onChange={(e) => setDate("to", e.target.value)} />
          </div>
          {dims}
          {select("status", "Outcome", "Every outcome", STATUS_OPTIONS)}
          {select("endpoint", "Endpoint", "Every endpoint", ENDPOINT_OPTIONS)}
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </section>
      <div className={selected ? "request-log request-log-with-detail" : "request-log"}>
        <section className="card card-flush" aria-label="Requests">
          {log.error ? (
            <p className="chart-state chart-state-error" role="alert">
              {errorMessage(log.error)}
            </p>
          ) : !log.data ? (
            <p className="chart-state">Loading requests…</p>
          ) : entries.length === 0 ? (
            <p className="chart-state" data-testid="log-empty">
              No requests match these filters.
            </p>
          ) : (
            <table className="table table-compact request-table" data-testid="request-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Outcome</th>
                  {props.showCaller ? <th scope="col">Caller</th> : null}
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Tokens in / out
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col" className="num">
                    Latency
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} data-testid="request-row" data-request-id={e.requestId} aria-selected={selected?.id === e.id}>
                    <td>
                      {/* The visible time starts the accessible name, so a voice user can say what they see. */}
                      <button type="button" className="link-button" onClick={() => setSelected(e)}>
                        {formatDateTime(e.createdAt)}
                        <span className="visually-hidden">, details of request {e.requestId}</span>
                      </button>
                    </td>
                    <td>
                      <span className={`badge outcome outcome-${e.status}`} data-testid="row-outcome">
                        {outcomeLabel(e.status)}
                      </span>
                    </td>
                    {props.showCaller ? <td>{callerOf(e)}</td> : null}
                    <td>{modelOf(e)}</td>
                    <td className="num">
                      {e.promptTokens.toLocaleString("en-US")} / {e.completionTokens.toLocaleString("en-US")}
                    </td>
                    <td className="num">{formatUsd(e.costUsd)}</td>
                    <td className="num">{formatMs(e.latencyMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {log.hasNextPage ? (
            <div className="log-more">
              <button type="button" className="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()} data-testid="load-more">
                {log.isFetchingNextPage ? "Loading…" : "Load older requests"}
              </button>
            </div>
          ) : entries.length > 0 ? (
            <p className="muted small log-more" data-testid="log-end">
              That is every request in this range.
            </p>
          ) : null}
        </section>
        {selected ? <RequestDetail entry={selected} onClose={() => setSelected(null)} /> : null}
      </div>
    </>
  );
}

function callerOf(e: RequestLogEntry): string {
  const team = e.teamName ?? e.teamId ?? "(no team)";
  const who = e.userEmail ?? e.keyName ?? (e.keyId ? e.keyId : null);
  return who ? `${team} · ${who}` : team;
}

function modelOf(e: RequestLogEntry): string {
  if (e.servedModel && e.requestedModel && e.servedModel !== e.requestedModel) return `${e.requestedModel} → ${e.servedModel}`;
  return e.servedModel ?? e.requestedModel ?? "—";
}
