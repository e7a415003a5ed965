/**
 * The most output one request may produce, which its budget reservation and TPM charge cover:
 * `n` choices of at most `perChoice` tokens each. When the gateway enforces it, the upstream is
 * told the ceiling in both of OpenAI's fields (some upstreams read only `max_tokens`, OpenAI's
 * reasoning models only `max_completion_tokens`), and a stream is cut where it is reached.
 */

/** Which output-limit field(s) a model's upstream accepts; set per model by the admin. */
export type MaxTokensField = "both" | "max_tokens" | "max_completion_tokens";
export const MAX_TOKENS_FIELDS: readonly MaxTokensField[] = ["both", "max_tokens", "max_completion_tokens"];

/** Ceiling per choice assumed when neither the request nor the model sets one. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export interface OutputCeiling {
  perChoice: number;
  choices: number;
  /** perChoice × choices: the completion tokens reserved. */
  total: number;
  /** The upstream is sent the ceiling and a stream is cut at `total`. */
  enforced: boolean;
}

interface OutputFields {
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
}

/**
 * `budgeted`: the team has a budget, so its reservation must bound the output even when neither
 * the client nor the model sets a limit.
 */
export function outputCeiling(body: OutputFields, modelMax: number | null, budgeted: boolean): OutputCeiling {
  const asked = [body.max_tokens, body.max_completion_tokens].filter((v): v is number => typeof v === "number");
  // Either field may be the one an upstream honours, so the larger is what it may produce.
  const clientMax = asked.length ? Math.max(...asked) : null;
  const perChoice = clientMax === null ? (modelMax ?? DEFAULT_MAX_OUTPUT_TOKENS) : modelMax === null ? clientMax : Math.min(clientMax, modelMax);
  const choices = body.n ?? 1;
  return { perChoice, choices, total: perChoice * choices, enforced: clientMax !== null || modelMax !== null || budgeted };
}

/** The upstream body with both output-limit fields at or below the ceiling. */
export function applyCeiling(body: Record<string, unknown>, ceiling: OutputCeiling): Record<string, unknown> {
  if (!ceiling.enforced) return body;
  const out = { ...body };
  for (const name of ["max_tokens", "max_completion_tokens"] as const) {
    const current = out[name];
    out[name] = typeof current === "number" && current < ceiling.perChoice ? current : ceiling.perChoice;
  }
  return out;
}

/**
 * The body as one model's upstream accepts it: a field it rejects is dropped, its value carried
 * over to the accepted field when that one is unset.
 */
export function acceptedFields(body: Record<string, unknown>, field: MaxTokensField): Record<string, unknown> {
  if (field === "both") return body;
  const other = field === "max_tokens" ? "max_completion_tokens" : "max_tokens";
  if (!(other in body)) return body;
  const out = { ...body };
  if (out[field] === undefined || out[field] === null) out[field] = out[other];
  delete out[other];
  return out;
}
