"use client";
import type { ModelOption } from "@/lib/client/chat";

/** Models and route aliases the current team may use; a route is a traffic split between two models. */
export function ModelPicker(props: {
  id: string;
  label: string;
  options: ModelOption[] | undefined;
  value: string | undefined;
  onChange: (model: string) => void;
  disabled?: boolean;
  testId?: string;
}) {
  const { options = [], value } = props;
  const models = options.filter((o) => o.kind === "model");
  const routes = options.filter((o) => o.kind === "route");
  const missing = value !== undefined && !options.some((o) => o.id === value);
  return (
    <label className="model-picker" htmlFor={props.id}>
      <span className="model-picker-label">{props.label}</span>
      <select
        id={props.id}
        data-testid={props.testId ?? "model-picker"}
        value={value ?? ""}
        disabled={props.disabled || options.length === 0}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {value === undefined ? <option value="">{options.length ? "Pick a model" : "Loading models…"}</option> : null}
        {missing ? <option value={value}>{value} (not available to this team)</option> : null}
        {routes.length ? (
          <optgroup label="Routes">
            {routes.map((r) => (
              <option key={r.id} value={r.id}>
                {r.id} ({r.control}
                {r.candidate ? ` / ${r.candidate}` : ""})
              </option>
            ))}
          </optgroup>
        ) : null}
        {models.length ? (
          <optgroup label="Models">
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
    </label>
  );
}
