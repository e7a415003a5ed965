/** Zod building blocks shared by the admin services, and the one mapping from a zod failure to a 400. */
import { z } from "zod";
import { badRequest } from "../gateway/errors";
import { paramPath } from "../openai/param-path";

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Parses admin input or throws a 400 naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const param = paramPath([...issue.path, issue.keys[0]!]);
    throw badRequest(`Unrecognized field '${param}'.`, param, "unknown_parameter");
  }
  const param = paramPath(issue.path);
  if (!param) throw badRequest(`Invalid request body: ${issue.message}.`, null, "invalid_body");
  if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) {
    throw badRequest(`Missing required field '${param}'.`, param, "missing_required_parameter");
  }
  throw badRequest(`Invalid value for '${param}': ${issue.message}.`, param);
}

export const displayName = z.string().trim().min(1).max(128);

/** Requests or tokens per minute; null means unlimited. */
export const perMinuteLimit = z.int().min(1).max(1_000_000_000).nullable();

/** A USD amount as a decimal number; stored as integer micro-USD, so it must stay well inside 2^53. */
export const usdAmount = z.number().min(0).max(1_000_000_000);

/** Query-string integers arrive as text. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.int().min(min).max(max));
