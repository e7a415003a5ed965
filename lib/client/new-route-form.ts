/** The "New route" form: validation as the user types and the POST body. */
import { parseStages, type FieldErrors } from "./route-form";

export interface NewRouteValues {
  name: string;
  control: string;
  candidate: string;
  stages: string;
}

export type NewRouteField = keyof NewRouteValues;

export const DEFAULT_STAGES_TEXT = "5, 25, 50, 100";

export function validateNewRoute(v: NewRouteValues): { errors: FieldErrors<NewRouteField>; body: Record<string, unknown> } {
  const errors: FieldErrors<NewRouteField> = {};
  const name = v.name.trim();
  if (!name) errors.name = "Enter a name; clients send it as the model";
  else if (/\s/.test(name)) errors.name = "The name must not contain spaces";
  else if (name.length > 128) errors.name = "The name must be at most 128 characters";

  if (!v.control) errors.control = "Pick the model that serves traffic today";
  if (v.candidate && v.candidate === v.control) errors.candidate = "The candidate must differ from the control";

  const stages = parseStages(v.stages);
  if ("error" in stages) errors.stages = stages.error;

  const body: Record<string, unknown> = { name, control: v.control };
  if (v.candidate) body.candidate = v.candidate;
  if (!("error" in stages)) body.stages = stages.stages;
  return { errors, body };
}

export function newRouteFieldForParam(param: string | null): NewRouteField | null {
  if (!param) return null;
  const base = param.replace(/\[\d+\]$/, "");
  return base === "name" || base === "control" || base === "candidate" || base === "stages" ? base : null;
}
