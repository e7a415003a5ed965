import type { ReactNode } from "react";

/** Props tying an input to its label, hint and error message. */
export function fieldProps(id: string, error: string | undefined, hint?: string) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return { id, name: id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
}

export function Field(props: { id: string; label: ReactNode; hint?: string; error?: string; children: ReactNode; className?: string }) {
  return (
    <div className={`field${props.error ? " field-invalid" : ""}${props.className ? ` ${props.className}` : ""}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.error ? (
        <p className="field-error" id={`${props.id}-error`} data-testid={`${props.id}-error`}>
          {props.error}
        </p>
      ) : props.hint ? (
        <p className="field-hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** An input with a unit after it ("%", "ms"). */
export function WithUnit({ unit, children }: { unit: string; children: ReactNode }) {
  return (
    <div className="with-unit">
      {children}
      <span className="unit" aria-hidden="true">
        {unit}
      </span>
    </div>
  );
}

/** The form-wide error (what no single field owns), announced when it appears. */
export function FormError({ message, inline }: { message: string | null | undefined; inline?: boolean }) {
  if (!message) return null;
  return (
    <p className={inline ? "form-error inline-form-error" : "form-error"} role="alert">
      {message}
    </p>
  );
}

/** The primary submit button: its label while idle, "Saving…" while the request runs. */
export function SaveButton({ busy, disabled, children }: { busy: boolean; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="button button-primary" disabled={busy || disabled}>
      {busy ? "Saving…" : children}
    </button>
  );
}
