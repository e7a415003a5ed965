/** The team form: budgets in USD, limits, alert threshold and allowed models; the POST or PATCH body. */
import { changedFields, decimal, displayNameError, optionalInt, paramLookup, textOf, type FieldErrors } from "./form";
import type { TeamView } from "./teams";

export interface TeamFormValues {
  name: string;
  dailyBudget: string;
  monthlyBudget: string;
  alertThresholdPct: string;
  rpmLimit: string;
  tpmLimit: string;
  /** False limits the team to `allowedModels`. */
  allowAll: boolean;
  allowedModels: string[];
  cacheMode: "off" | "deterministic" | "all";
  cacheTtlSeconds: string;
}

export type TeamField = keyof TeamFormValues;

const MAX_USD = 1_000_000_000;
const MAX_PER_MINUTE = 1_000_000_000;
export const DEFAULT_ALERT_THRESHOLD_PCT = 80;

export function newTeamValues(): TeamFormValues {
  return { name: "", dailyBudget: "", monthlyBudget: "", alertThresholdPct: String(DEFAULT_ALERT_THRESHOLD_PCT), rpmLimit: "", tpmLimit: "", allowAll: true, allowedModels: [], cacheMode: "off", cacheTtlSeconds: "3600" };
}

export function teamValues(t: TeamView): TeamFormValues {
  return {
    name: t.name,
    dailyBudget: textOf(t.dailyBudgetUsd),
    monthlyBudget: textOf(t.monthlyBudgetUsd),
    alertThresholdPct: String(t.alertThresholdPct),
    rpmLimit: textOf(t.rpmLimit),
    tpmLimit: textOf(t.tpmLimit),
    allowAll: t.allowedModels === null,
    allowedModels: t.allowedModels ?? [],
    cacheMode: t.responseCache.mode,
    cacheTtlSeconds: String(t.responseCache.ttlSeconds),
  };
}

export function validateTeam(v: TeamFormValues, current?: TeamView): { errors: FieldErrors<TeamField>; body: Record<string, unknown> } {
  const errors: FieldErrors<TeamField> = {};
  const nameError = displayNameError(v.name, "team");
  if (nameError) errors.name = nameError;

  const usd = { min: 0, max: MAX_USD, required: false, blank: "no cap" };
  const daily = decimal(v.dailyBudget, "Daily budget", usd);
  if (daily.error) errors.dailyBudget = daily.error;
  const monthly = decimal(v.monthlyBudget, "Monthly budget", usd);
  if (monthly.error) errors.monthlyBudget = monthly.error;

  const threshold = optionalInt(v.alertThresholdPct, "Alert threshold", 1, 100);
  if (threshold.error) errors.alertThresholdPct = threshold.error;
  else if (threshold.value === null) errors.alertThresholdPct = "Enter a percentage from 1 to 100";

  const rpm = optionalInt(v.rpmLimit, "RPM", 1, MAX_PER_MINUTE);
  if (rpm.error) errors.rpmLimit = rpm.error;
  const tpm = optionalInt(v.tpmLimit, "TPM", 1, MAX_PER_MINUTE);
  if (tpm.error) errors.tpmLimit = tpm.error;

  if (!v.allowAll && v.allowedModels.length === 0) errors.allowedModels = "Tick at least one model, or allow every model";
  const ttl = optionalInt(v.cacheTtlSeconds, "Cache lifetime", 1, 30 * 24 * 3600);
  if (ttl.error) errors.cacheTtlSeconds = ttl.error;
  else if (ttl.value === null) errors.cacheTtlSeconds = "Enter how long answers are kept, in seconds";

  const full: Record<string, unknown> = {
    name: v.name.trim(),
    dailyBudgetUsd: daily.value ?? null,
    monthlyBudgetUsd: monthly.value ?? null,
    alertThresholdPct: threshold.value ?? null,
    rpmLimit: rpm.value ?? null,
    tpmLimit: tpm.value ?? null,
    allowedModels: v.allowAll ? null : [...v.allowedModels].sort(),
    responseCache: { mode: v.cacheMode, ttlSeconds: ttl.value ?? 3600 },
  };
  if (!current) return { errors, body: full };
  const before = { ...current, allowedModels: current.allowedModels ? [...current.allowedModels].sort() : null };
  return { errors, body: changedFields(full, before as unknown as Record<string, unknown>) };
}

export const teamFieldForParam = paramLookup<TeamField>({
  name: "name",
  dailyBudgetUsd: "dailyBudget",
  monthlyBudgetUsd: "monthlyBudget",
  alertThresholdPct: "alertThresholdPct",
  rpmLimit: "rpmLimit",
  tpmLimit: "tpmLimit",
  allowedModels: "allowedModels",
  "responseCache.mode": "cacheMode",
  "responseCache.ttlSeconds": "cacheTtlSeconds",
});

export function validateKeyName(name: string): string | undefined {
  return displayNameError(name, "key");
}
