/**
 * An upstream's error object ({"error":{message,type,code,param}} or {"error":"text"}) as the
 * fields the gateway passes on to its caller: strings only, the provider key redacted from each.
 */
import type { Redactor } from "./redact";

export interface RelayedError {
  message: string;
  type: string | null;
  code: string | null;
  param: string | null;
}

const str = (v: unknown, redact: Redactor): string | null => (typeof v === "string" ? redact(v) : null);

/** The fields of `body.error`, or null when the body carries no error message. */
export function relayedError(body: unknown, redact: Redactor): RelayedError | null {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return { message: redact(error), type: null, code: null, param: null };
  if (!error || typeof error !== "object") return null;
  const e = error as Record<string, unknown>;
  const message = str(e.message, redact);
  if (message === null) return null;
  return { message, type: str(e.type, redact), code: str(e.code, redact), param: str(e.param, redact) };
}
