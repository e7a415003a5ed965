"use client";
import type { ReactNode } from "react";
import { errorMessage } from "@/lib/client/api";

/** A chart's frame: title, optional toggle, and the loading, error and empty states in words. */
export function ChartCard(props: {
  title: string;
  testId: string;
  toolbar?: ReactNode;
  error?: unknown;
  loading?: boolean;
  empty?: string | null;
  legend?: ReactNode;
  children: ReactNode;
}) {
  const body = props.error ? (
    <p className="chart-state chart-state-error" role="alert">
      Could not load: {errorMessage(props.error)}
    </p>
  ) : props.loading ? (
    <p className="chart-state muted">Loading…</p>
  ) : props.empty ? (
    <p className="chart-state muted">{props.empty}</p>
  ) : (
    props.children
  );
  return (
    <figure className="card usage-chart" data-testid={props.testId}>
      <figcaption className="usage-chart-head">
        <span className="usage-chart-title">{props.title}</span>
        {props.toolbar}
      </figcaption>
      {body}
      {!props.error && !props.loading && !props.empty ? props.legend : null}
    </figure>
  );
}

/** Two or three options, one pressed: "by team | by model". */
export function Toggle<T extends string>(props: { label: string; value: T; options: Array<{ value: T; label: string }>; onChange: (v: T) => void }) {
  return (
    <span className="toggle" role="group" aria-label={props.label}>
      {props.options.map((o) => (
        <button key={o.value} type="button" aria-pressed={props.value === o.value} onClick={() => props.onChange(o.value)}>
          {o.label}
        </button>
      ))}
    </span>
  );
}

export function Legend({ items }: { items: Array<{ key: string; label: string; color: string; dashed?: boolean }> }) {
  return (
    <ul className="usage-legend">
      {items.map((i) => (
        <li key={i.key}>
          <i className={`swatch${i.dashed ? " swatch-dashed" : ""}`} style={{ background: i.dashed ? undefined : i.color, borderColor: i.color }} />
          {i.label}
        </li>
      ))}
    </ul>
  );
}
