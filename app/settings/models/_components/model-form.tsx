"use client";
import Link from "next/link";
import type { ChangeEvent, FormEvent } from "react";
import { Field, fieldProps, WithUnit, FormError, SaveButton } from "@/app/_components/field";
import { errorMessage } from "@/lib/client/api";
import { useFormState } from "@/lib/client/settings/form";
import { MAX_FALLBACKS, modelFieldForParam, modelValues, newModelValues, validateModel, type ModelField } from "@/lib/client/settings/model-form";
import { useCreateModel, usePatchModel, type ModelView } from "@/lib/client/settings/models";
import { useProviderModels, type ProviderView } from "@/lib/client/settings/providers";
import { CAPABILITIES } from "@/lib/gateway/endpoints/capabilities";
import { FallbackPicker } from "./fallback-picker";

type TextField = Exclude<ModelField, "fallbacks" | "providerId" | "maxTokensField" | "endpoints">;

const ENDPOINT_CHOICES = [
  { value: "chat", label: "Chat", note: "chat completions and the Responses API" },
  { value: "embeddings", label: "Embeddings", note: "/v1/embeddings" },
] as const satisfies ReadonlyArray<{ value: (typeof CAPABILITIES)[number]; label: string; note: string }>;

const MAX_TOKENS_FIELD_HINT = "Both is right for most providers; pick one only if the provider rejects the other (OpenAI's reasoning models reject max_tokens).";

/** Adds a model, or edits `model` when given. */
export function ModelForm(props: { model?: ModelView; providers: ProviderView[]; modelNames: string[]; onDone: (saved?: ModelView) => void }) {
  const { model } = props;
  const form = useFormState(() => (model ? modelValues(model) : newModelValues(props.providers.length === 1 ? props.providers[0]!.id : "")));
  const create = useCreateModel();
  const patch = usePatchModel(model?.id ?? "");
  const busy = create.isPending || patch.isPending;
  const { values: v } = form;
  const upstream = useProviderModels(v.providerId);

  const { errors, body } = validateModel(v, model);
  const invalid = Object.keys(errors).length > 0;
  const unchanged = !!model && Object.keys(body).length === 0;
  const err = (f: ModelField) => form.errorFor(errors, f);

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid || unchanged) return;
    const onError = (error: unknown) => form.fail(error, modelFieldForParam);
    if (model) patch.mutate(body, { onSuccess: (saved) => props.onDone(saved), onError });
    else
      create.mutate(body, {
        onSuccess: (saved) => {
          form.reset(newModelValues(v.providerId));
          props.onDone(saved);
        },
        onError,
      });
  }

  const text = (k: TextField, hint?: string, inputMode: "text" | "decimal" | "numeric" = "text") => ({
    ...fieldProps(`model-${k}`, err(k), hint),
    type: "text",
    inputMode,
    autoComplete: "off",
    spellCheck: false,
    value: v[k],
    onChange: (e: ChangeEvent<HTMLInputElement>) => form.set(k, e.target.value),
  });

  const listed = upstream.data?.ok ? upstream.data.models : [];
  const upstreamHint = upstream.isFetching
    ? "Asking the provider for its models…"
    : upstream.data?.ok
      ? `${listed.length} model(s) from the provider are suggested as you type.`
      : upstream.data && !upstream.data.ok
        ? `Could not list the provider's models: ${upstream.data.message}`
        : upstream.error
          ? `Could not list the provider's models: ${errorMessage(upstream.error)}`
          : "The name the provider knows, e.g. gpt-4o-mini.";
  const fallbackHint = "Tried in this order when this model fails or its breaker is open.";
  const toggleEndpoint = (value: (typeof CAPABILITIES)[number], on: boolean) =>
    form.set("endpoints", CAPABILITIES.filter((c) => (c === value ? on : v.endpoints.includes(c))));
  const noProviders = props.providers.length === 0;

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="model-form-title" data-testid="model-form">
      <div className="card-head">
        <h2 id="model-form-title">{model ? `Edit ${model.name}` : "Add a model"}</h2>
        {model ? (
          <button type="button" className="link-button" onClick={() => props.onDone()}>
            Cancel editing
          </button>
        ) : null}
      </div>
      {noProviders ? (
        <p className="notice">
          There are no providers yet. <Link href="/settings/providers">Add a provider</Link> first; a model is a name clients use, served by one.
        </p>
      ) : null}
      <div className="form-grid">
        <Field id="model-name" label="Name" hint="What clients send as model, e.g. gpt-4o-mini." error={err("name")}>
          <input {...text("name", "What clients send as model, e.g. gpt-4o-mini.")} />
        </Field>
        <Field id="model-providerId" label="Provider" error={err("providerId")}>
          <select {...fieldProps("model-providerId", err("providerId"))} value={v.providerId} onChange={(e) => form.set("providerId", e.target.value)} disabled={noProviders}>
            <option value="">Choose a provider</option>
            {props.providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="model-upstreamModel" label="Upstream model" hint={upstreamHint} error={err("upstreamModel")}>
          <div className="input-with-action">
            <input {...text("upstreamModel", upstreamHint)} list="upstream-models" />
            <button type="button" className="button button-small" onClick={() => void upstream.refetch()} disabled={!v.providerId || upstream.isFetching}>
              {upstream.isFetching ? "Listing…" : "List models"}
            </button>
          </div>
          <datalist id="upstream-models">
            {listed.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </Field>
        <Field id="model-maxOutputTokens" label="Max output tokens" hint="Caps each reply's output; blank for the request's own limit (4,096 for teams with a budget)." error={err("maxOutputTokens")}>
          <input {...text("maxOutputTokens", "Caps each reply's output; blank for the request's own limit (4,096 for teams with a budget).", "numeric")} />
        </Field>
        <Field id="model-maxTokensField" label="Output limit sent as" hint={MAX_TOKENS_FIELD_HINT} error={err("maxTokensField")}>
          <select {...fieldProps("model-maxTokensField", err("maxTokensField"), MAX_TOKENS_FIELD_HINT)} value={v.maxTokensField} onChange={(e) => form.set("maxTokensField", e.target.value as typeof v.maxTokensField)}>
            <option value="both">max_tokens and max_completion_tokens</option>
            <option value="max_tokens">max_tokens only</option>
            <option value="max_completion_tokens">max_completion_tokens only</option>
          </select>
        </Field>
        <Field id="model-inputPrice" label="Input price" hint="USD per 1M prompt tokens." error={err("inputPrice")}>
          <WithUnit unit="$/1M">
            <input {...text("inputPrice", "USD per 1M prompt tokens.", "decimal")} />
          </WithUnit>
        </Field>
        <Field id="model-outputPrice" label="Output price" hint="USD per 1M completion tokens." error={err("outputPrice")}>
          <WithUnit unit="$/1M">
            <input {...text("outputPrice", "USD per 1M completion tokens.", "decimal")} />
          </WithUnit>
        </Field>
        <Field id="model-rpmLimit" label="Requests per minute" hint="The upstream's own limit; blank for none." error={err("rpmLimit")}>
          <WithUnit unit="RPM">
            <input {...text("rpmLimit", "The upstream's own limit; blank for none.", "numeric")} />
          </WithUnit>
        </Field>
        <Field id="model-tpmLimit" label="Tokens per minute" hint="Prompt + max output, charged up front; blank for none." error={err("tpmLimit")}>
          <WithUnit unit="TPM">
            <input {...text("tpmLimit", "Prompt + max output, charged up front; blank for none.", "numeric")} />
          </WithUnit>
        </Field>
        <Field id="model-fallbacks" label="Fallbacks" hint={fallbackHint} error={err("fallbacks")} className="span-2">
          <FallbackPicker
            id="model-fallbacks"
            value={v.fallbacks}
            options={props.modelNames.filter((n) => n !== (model?.name ?? v.name.trim()))}
            max={MAX_FALLBACKS}
            invalid={!!err("fallbacks")}
            describedBy={err("fallbacks") ? "model-fallbacks-error" : "model-fallbacks-hint"}
            onChange={(next) => form.set("fallbacks", next)}
          />
        </Field>
        <fieldset className="fieldset span-2" aria-describedby={err("endpoints") ? "model-endpoints-error" : "model-endpoints-hint"} data-testid="model-endpoints">
          <legend>Endpoints</legend>
          {ENDPOINT_CHOICES.map((c) => (
            <label key={c.value} className="checkbox">
              <input type="checkbox" checked={v.endpoints.includes(c.value)} onChange={(e) => toggleEndpoint(c.value, e.target.checked)} /> {c.label}
              <span className="muted small">{c.note}</span>
            </label>
          ))}
          {err("endpoints") ? (
            <p className="field-error" id="model-endpoints-error" data-testid="model-endpoints-error">
              {err("endpoints")}
            </p>
          ) : (
            <p className="field-hint" id="model-endpoints-hint">
              What clients may ask this model for; anything else is refused with a 400 naming the model.
            </p>
          )}
        </fieldset>
      </div>
      <FormError message={form.formError} />
      <div className="form-actions">
        <SaveButton busy={busy} disabled={noProviders || (form.submitted && invalid) || unchanged}>
          {model ? "Save changes" : "Add model"}
        </SaveButton>
        {model ? (
          <button type="button" className="button" onClick={() => props.onDone()}>
            Cancel
          </button>
        ) : null}
        {unchanged ? <span className="muted small">Nothing changed yet.</span> : null}
      </div>
    </form>
  );
}
