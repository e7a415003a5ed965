/** The model form: text values, validation as the user types, and the POST or PATCH body. */
import type { Capability } from "@/lib/gateway/endpoints/types";
import type { MaxTokensField } from "@/lib/gateway/output-ceiling";
import { changedFields, decimal, optionalInt, paramLookup, type FieldErrors } from "./form";
import type { ModelView } from "./models";

export interface ModelFormValues {
  name: string;
  providerId: string;
  upstreamModel: string;
  inputPrice: string;
  outputPrice: string;
  maxOutputTokens: string;
  /** The output-limit field(s) the provider accepts for this model. */
  maxTokensField: MaxTokensField;
  rpmLimit: string;
  tpmLimit: string;
  /** Tried in this order when the model fails or its breaker is open. */
  fallbacks: string[];
  /** What the model serves. */
  endpoints: Capability[];
}

export type ModelField = keyof ModelFormValues;

export const MAX_FALLBACKS = 10;
const MAX_PRICE = 1_000_000;
const MAX_PER_MINUTE = 1_000_000_000;

const text = (n: number | null) => (n === null ? "" : String(n));

export function newModelValues(providerId = ""): ModelFormValues {
  return { name: "", providerId, upstreamModel: "", inputPrice: "", outputPrice: "", maxOutputTokens: "", maxTokensField: "both", rpmLimit: "", tpmLimit: "", fallbacks: [], endpoints: ["chat"] };
}

export function modelValues(m: ModelView): ModelFormValues {
  return {
    name: m.name,
    providerId: m.providerId,
    upstreamModel: m.upstreamModel,
    inputPrice: String(m.inputPricePerMTok),
    outputPrice: String(m.outputPricePerMTok),
    maxOutputTokens: text(m.maxOutputTokens),
    maxTokensField: m.maxTokensField,
    rpmLimit: text(m.rpmLimit),
    tpmLimit: text(m.tpmLimit),
    fallbacks: [...m.fallbacks],
    endpoints: [...m.endpoints],
  };
}

export function validateModel(v: ModelFormValues, current?: ModelView): { errors: FieldErrors<ModelField>; body: Record<string, unknown> } {
  const errors: FieldErrors<ModelField> = {};
  const name = v.name.trim();
  if (!name) errors.name = "Enter the name clients will send as model";
  else if (/\s/.test(name)) errors.name = "The name must not contain spaces";
  else if (name.length > 128) errors.name = "The name must be at most 128 characters";

  if (!v.providerId) errors.providerId = "Pick the provider that serves this model";
  const upstreamModel = v.upstreamModel.trim();
  if (!upstreamModel) errors.upstreamModel = "Enter the model name the provider knows, e.g. gpt-4o-mini";
  else if (upstreamModel.length > 256) errors.upstreamModel = "At most 256 characters";

  const input = decimal(v.inputPrice, "Input price", { min: 0, max: MAX_PRICE, required: true });
  if (input.error) errors.inputPrice = input.error;
  const output = decimal(v.outputPrice, "Output price", { min: 0, max: MAX_PRICE, required: true });
  if (output.error) errors.outputPrice = output.error;
  const maxOut = optionalInt(v.maxOutputTokens, "Max output tokens", 1, 10_000_000);
  if (maxOut.error) errors.maxOutputTokens = maxOut.error;
  const rpm = optionalInt(v.rpmLimit, "RPM", 1, MAX_PER_MINUTE);
  if (rpm.error) errors.rpmLimit = rpm.error;
  const tpm = optionalInt(v.tpmLimit, "TPM", 1, MAX_PER_MINUTE);
  if (tpm.error) errors.tpmLimit = tpm.error;

  if (v.fallbacks.includes(name)) errors.fallbacks = "A model cannot fall back to itself";
  else if (v.fallbacks.length > MAX_FALLBACKS) errors.fallbacks = `At most ${MAX_FALLBACKS} fallbacks`;
  if (v.endpoints.length === 0) errors.endpoints = "Pick at least one thing the model serves";

  const full: Record<string, unknown> = {
    name,
    providerId: v.providerId,
    upstreamModel,
    inputPricePerMTok: input.value ?? null,
    outputPricePerMTok: output.value ?? null,
    maxOutputTokens: maxOut.value ?? null,
    maxTokensField: v.maxTokensField,
    rpmLimit: rpm.value ?? null,
    tpmLimit: tpm.value ?? null,
    fallbacks: v.fallbacks,
    endpoints: v.endpoints,
  };
  if (!current) return { errors, body: full };
  return { errors, body: changedFields(full, current as unknown as Record<string, unknown>) };
}

export const modelFieldForParam = paramLookup<ModelField>({
  name: "name",
  providerId: "providerId",
  upstreamModel: "upstreamModel",
  inputPricePerMTok: "inputPrice",
  outputPricePerMTok: "outputPrice",
  maxOutputTokens: "maxOutputTokens",
  maxTokensField: "maxTokensField",
  rpmLimit: "rpmLimit",
  tpmLimit: "tpmLimit",
  fallbacks: "fallbacks",
  endpoints: "endpoints",
});
