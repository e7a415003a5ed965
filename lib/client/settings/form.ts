/**
 * What the settings forms share: form state that validates as the user types, the server's error
 * placed under the field its `param` names, and parsers for the numbers people type.
 */
import { useState } from "react";
import { ApiError, errorMessage } from "../api";
import { parseNumber, type FieldErrors } from "../route-form";

export { parseNumber, type FieldErrors };

export interface ServerError<F extends string> {
  field: F | null;
  message: string;
}

/**
 * Values, which fields were edited, and the last server error. Messages show once a field was
 * edited or a submit was tried, not on an untouched form.
 */
export function useFormState<V extends object>(initial: V | (() => V)) {
  type F = keyof V & string;
  const [values, setValues] = useState<V>(initial);
  const [touched, setTouched] = useState<Partial<Record<F, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<ServerError<F> | null>(null);

  return {
    values,
    submitted,
    serverError,
    set<K extends F>(k: K, v: V[K]) {
      setValues((s) => ({ ...s, [k]: v }));
      setTouched((t) => ({ ...t, [k]: true }));
      setServerError(null);
    },
    /** Starts over from new values (after a save, or when another item is picked for editing). */
    reset(next: V) {
      setValues(next);
      setTouched({});
      setSubmitted(false);
      setServerError(null);
    },
    trySubmit() {
      setSubmitted(true);
      setServerError(null);
    },
    errorFor(errors: FieldErrors<F>, k: F): string | undefined {
      return ((submitted || touched[k]) && errors[k]) || (serverError?.field === k ? serverError.message : undefined);
    },
    /** Puts an API error under the field its `param` names, or above the buttons when none does. */
    fail(err: unknown, fieldForParam: (param: string) => F | null) {
      const field = err instanceof ApiError && err.param ? fieldForParam(err.param) : null;
      setServerError({ field, message: errorMessage(err) });
    },
    /** A server error no field claims, for the banner above the form's buttons. */
    formError: serverError && !serverError.field ? serverError.message : null,
  };
}

/** Looks a server `param` up in a map, ignoring a trailing index: "fallbacks[1]" is "fallbacks". */
export function paramLookup<F extends string>(map: Record<string, F>) {
  return (param: string): F | null => map[param] ?? map[param.replace(/\[\d+\]$/, "")] ?? null;
}

type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

/** A whole number or blank (null: no limit). */
export function optionalInt(text: string, label: string, min: number, max: number): Parsed<number | null> {
  const n = parseNumber(text);
  if (n === null) return { value: null };
  if (Number.isNaN(n) || !Number.isInteger(n)) return { error: `${label} must be a whole number, or blank for no limit` };
  if (n < min || n > max) return { error: `${label} must be from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}` };
  return { value: n };
}

/** A decimal amount; `required` false lets a blank mean "none". */
export function decimal(text: string, label: string, opts: { min: number; max: number; required: boolean; blank?: string }): Parsed<number | null> {
  const n = parseNumber(text);
  if (n === null) return opts.required ? { error: `Enter ${label.toLowerCase()}` } : { value: null };
  if (Number.isNaN(n)) return { error: `${label} must be a number${opts.required ? "" : `, or blank for ${opts.blank ?? "none"}`}` };
  if (n < opts.min || n > opts.max) return { error: `${label} must be between ${opts.min.toLocaleString("en-US")} and ${opts.max.toLocaleString("en-US")}` };
  return { value: n };
}

export const textOf = (n: number | null | undefined): string => (n === null || n === undefined ? "" : String(n));

/** Display name rules shared by providers, teams and keys (trimmed, 1–128 characters). */
export function displayNameError(name: string, what: string): string | undefined {
  const t = name.trim();
  if (!t) return `Enter a name for the ${what}`;
  if (t.length > 128) return "The name must be at most 128 characters";
  return undefined;
}

/** The body of a PATCH: only fields whose value differs from the current one. */
export function changedFields(next: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) if (JSON.stringify(v) !== JSON.stringify(current[k])) out[k] = v;
  return out;
}
