"use client";
import { useState, type ReactNode } from "react";
import { lastDays, rangeError, thisMonth, type UsageFilters } from "@/lib/client/usage/filters";
import { USAGE_ENDPOINT_LABELS, USAGE_ENDPOINTS } from "@/lib/usage/endpoints";

export interface Option {
  value: string;
  label: string;
}

const ENDPOINT_OPTIONS: Option[] = USAGE_ENDPOINTS.map((e) => ({ value: e, label: USAGE_ENDPOINT_LABELS[e] }));

const PRESETS = [
  { label: "Today", range: () => lastDays(1) },
  { label: "7 days", range: () => lastDays(7) },
  { label: "30 days", range: () => lastDays(30) },
  { label: "This month", range: () => thisMonth() },
];

export function UsageFilterBar(props: {
  filters: UsageFilters;
  teams: Option[];
  models: Option[];
  routes: Option[];
  onChange: (patch: Partial<UsageFilters>) => void;
  /** Shown at the foot of the filters: the export acts on exactly what they select. */
  actions?: ReactNode;
}) {
  const { filters: f } = props;
  // Dates are edited locally and applied once the range is valid, so a half-typed date does not refetch.
  const [draft, setDraft] = useState({ from: f.from, to: f.to });
  const [applied, setApplied] = useState({ from: f.from, to: f.to });
  if (applied.from !== f.from || applied.to !== f.to) {
    setApplied({ from: f.from, to: f.to });
    setDraft({ from: f.from, to: f.to });
  }
  const error = rangeError(draft.from, draft.to);

  function setDate(k: "from" | "to", value: string) {
    const next = { ...draft, [k]: value };
    setDraft(next);
    if (!rangeError(next.from, next.to)) props.onChange(next);
  }

  const select = (k: "teamId" | "model" | "route" | "endpoint", label: string, all: string, options: Option[]) => (
    <div className="filter">
      <label htmlFor={`filter-${k}`}>{label}</label>
      <select id={`filter-${k}`} value={f[k]} onChange={(e) => props.onChange({ [k]: e.target.value })}>
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

  const active = PRESETS.find((p) => {
    const r = p.range();
    return r.from === f.from && r.to === f.to;
  });
  const filtered = f.teamId || f.model || f.route || f.endpoint;

  return (
    <section className="card filters" aria-label="Filters" data-testid="usage-filters">
      <div className="filter-row">
        <div className="filter">
          <label htmlFor="filter-from">From</label>
          <input id="filter-from" type="date" value={draft.from} max={draft.to} aria-invalid={error ? true : undefined} aria-describedby={error ? "filter-range-error" : undefined} onChange={(e) => setDate("from", e.target.value)} />
        </div>
        <div className="filter">
          <label htmlFor="filter-to">To</label>
          <input id="filter-to" type="date" value={draft.to} min={draft.from} aria-invalid={error ? true : undefined} aria-describedby={error ? "filter-range-error" : undefined} onChange={(e) => setDate("to", e.target.value)} />
        </div>
        <div className="presets" role="group" aria-label="Quick ranges">
          {PRESETS.map((p) => (
            <button key={p.label} type="button" className="preset" aria-pressed={active === p} onClick={() => props.onChange(p.range())}>
              {p.label}
            </button>
          ))}
        </div>
      </div>
      <div className="filter-row">
        {select("teamId", "Team", "All teams", props.teams)}
        {select("model", "Model", "All models", props.models)}
        {select("route", "Route", "All routes", props.routes)}
        {select("endpoint", "Endpoint", "All endpoints", ENDPOINT_OPTIONS)}
        {filtered ? (
          <button type="button" className="link-button clear-filters" onClick={() => props.onChange({ teamId: "", model: "", route: "", endpoint: "" })}>
            Clear filters
          </button>
        ) : null}
      </div>
      <div className="filter-foot">
        {error ? (
          <p className="field-error" id="filter-range-error" role="alert">
            {error}
          </p>
        ) : (
          <p className="muted small filter-note">Days are UTC, like budgets. Both dates are included.</p>
        )}
        {props.actions}
      </div>
    </section>
  );
}
