/**
 * The provider form: text values, validation as the user types, and the POST or PATCH body.
 * Timeouts are typed in seconds and sent in milliseconds; an edit sends only what changed, and a
 * blank API key on an edit keeps the stored one.
 */
import { DEFAULT_PROVIDER_SETTINGS, type ProviderSettings } from "@/lib/gateway/types";
import { changedFields, decimal, displayNameError, optionalInt, paramLookup, type FieldErrors } from "./form";
import { PROVIDER_KIND_INFO } from "@/lib/gateway/providers/kinds";
import type { ProviderKind, ProviderView } from "./providers";

export interface ProviderFormValues {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  apiKey: string;
  /** Edit only: drop the stored key (for upstreams that need none). */
  removeKey: boolean;
  /** OpenAI-compatible only: /v1/responses requests pass through to the provider's own Responses API. */
  responsesApi: boolean;
  maxAttempts: string;
  firstByteTimeoutS: string;
  idleTimeoutS: string;
  totalTimeoutS: string;
  maxRetryAfterS: string;
}

export type ProviderField = keyof ProviderFormValues;

const TIMEOUTS = [
  ["firstByteTimeoutS", "firstByteTimeoutMs", "First-byte timeout"],
  ["idleTimeoutS", "idleTimeoutMs", "Idle timeout"],
  ["totalTimeoutS", "totalTimeoutMs", "Total deadline"],
  ["maxRetryAfterS", "maxRetryAfterMs", "Longest Retry-After"],
] as const;

const seconds = (ms: number) => String(Number((ms / 1000).toFixed(3)));

function settingsValues(s: ProviderSettings) {
  return {
    maxAttempts: String(s.maxAttempts),
    firstByteTimeoutS: seconds(s.firstByteTimeoutMs),
    idleTimeoutS: seconds(s.idleTimeoutMs),
    totalTimeoutS: seconds(s.totalTimeoutMs),
    maxRetryAfterS: seconds(s.maxRetryAfterMs),
    responsesApi: s.responsesApi,
  };
}

export function newProviderValues(): ProviderFormValues {
  return { name: "", kind: "openai-compatible", baseUrl: "", apiKey: "", removeKey: false, ...settingsValues(DEFAULT_PROVIDER_SETTINGS) };
}

export function providerValues(p: ProviderView): ProviderFormValues {
  return { name: p.name, kind: p.kind, baseUrl: p.baseUrl ?? "", apiKey: "", removeKey: false, ...settingsValues(p.settings) };
}

export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "http:" || u.protocol === "https:") && !!u.hostname;
  } catch {
    return false;
  }
}

export function validateProvider(v: ProviderFormValues, current?: ProviderView): { errors: FieldErrors<ProviderField>; body: Record<string, unknown> } {
  const errors: FieldErrors<ProviderField> = {};
  const name = v.name.trim();
  const nameError = displayNameError(v.name, "provider");
  if (nameError) errors.name = nameError;

  const { remote, baseUrlExample } = PROVIDER_KIND_INFO[v.kind];
  const baseUrl = v.baseUrl.trim();
  if (remote) {
    if (!baseUrl) errors.baseUrl = `Enter the base URL, e.g. ${baseUrlExample}`;
    else if (!isHttpUrl(baseUrl)) errors.baseUrl = "Enter an http:// or https:// URL, e.g. http://localhost:11434/v1";
  }
  const apiKey = v.apiKey.trim();
  if (remote && apiKey && /\s/.test(apiKey)) errors.apiKey = "The key must not contain spaces";

  const settings: Record<string, number | boolean> = {};
  // Another kind cannot speak the Responses API: switching to it turns the setting off.
  settings.responsesApi = v.kind === "openai-compatible" && v.responsesApi;
  const attempts = optionalInt(v.maxAttempts, "Attempts", 1, 10);
  if (attempts.error) errors.maxAttempts = attempts.error;
  else if (attempts.value === null) errors.maxAttempts = "Enter how many attempts, from 1 to 10";
  else settings.maxAttempts = attempts.value!;
  for (const [field, key, label] of TIMEOUTS) {
    const s = decimal(v[field], label, { min: 0.001, max: 3600, required: true });
    if (s.error) errors[field] = s.error;
    else settings[key] = Math.round(s.value! * 1000);
  }

  const full: Record<string, unknown> = { name, kind: v.kind, baseUrl: remote ? baseUrl : null };
  if (!current) {
    if (remote && apiKey) full.apiKey = apiKey;
    const custom = changedFields(settings, DEFAULT_PROVIDER_SETTINGS as unknown as Record<string, unknown>);
    if (Object.keys(custom).length) full.settings = custom;
    if (!remote) delete full.baseUrl;
    return { errors, body: full };
  }

  const body = changedFields(full, { name: current.name, kind: current.kind, baseUrl: current.baseUrl });
  if (!remote && current.apiKeyLast4) body.apiKey = null;
  else if (remote && apiKey) body.apiKey = apiKey;
  else if (remote && v.removeKey && current.apiKeyLast4) body.apiKey = null;
  const settingsPatch = changedFields(settings, current.settings as unknown as Record<string, unknown>);
  if (Object.keys(settingsPatch).length) body.settings = settingsPatch;
  return { errors, body };
}

export const providerFieldForParam = paramLookup<ProviderField>({
  name: "name",
  kind: "kind",
  baseUrl: "baseUrl",
  apiKey: "apiKey",
  "settings.maxAttempts": "maxAttempts",
  "settings.firstByteTimeoutMs": "firstByteTimeoutS",
  "settings.idleTimeoutMs": "idleTimeoutS",
  "settings.totalTimeoutMs": "totalTimeoutS",
  "settings.maxRetryAfterMs": "maxRetryAfterS",
  "settings.responsesApi": "responsesApi",
});
