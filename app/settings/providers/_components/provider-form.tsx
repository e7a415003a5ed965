"use client";
import type { ChangeEvent, FormEvent } from "react";
import { Field, fieldProps, WithUnit, FormError, SaveButton } from "@/app/_components/field";
import { useFormState } from "@/lib/client/settings/form";
import { newProviderValues, providerFieldForParam, providerValues, validateProvider, type ProviderField } from "@/lib/client/settings/provider-form";
import { PROVIDER_KIND_INFO, useCreateProvider, usePatchProvider, type ProviderKind, type ProviderView } from "@/lib/client/settings/providers";

type TextField = Exclude<ProviderField, "kind" | "removeKey" | "responsesApi">;

/** Adds a provider, or edits `provider` when given. */
export function ProviderForm({ provider, onDone }: { provider?: ProviderView; onDone: (saved?: ProviderView) => void }) {
  const form = useFormState(() => (provider ? providerValues(provider) : newProviderValues()));
  const create = useCreateProvider();
  const patch = usePatchProvider(provider?.id ?? "");
  const busy = create.isPending || patch.isPending;
  const { values: v } = form;

  const { errors, body } = validateProvider(v, provider);
  const invalid = Object.keys(errors).length > 0;
  const unchanged = !!provider && Object.keys(body).length === 0;
  const err = (f: ProviderField) => form.errorFor(errors, f);

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid || unchanged) return;
    const onError = (error: unknown) => form.fail(error, providerFieldForParam);
    if (provider) patch.mutate(body, { onSuccess: (saved) => onDone(saved), onError });
    else
      create.mutate(body, {
        onSuccess: (saved) => {
          form.reset(newProviderValues());
          onDone(saved);
        },
        onError,
      });
  }

  const text = (k: TextField, hint?: string) => ({
    ...fieldProps(`provider-${k}`, err(k), hint),
    type: "text",
    autoComplete: "off",
    spellCheck: false,
    value: v[k],
    onChange: (e: ChangeEvent<HTMLInputElement>) => form.set(k, e.target.value),
  });

  const info = PROVIDER_KIND_INFO[v.kind];
  const remote = info.remote;
  const keyHint = provider?.apiKeyLast4 ? `Stored: ••••${provider.apiKeyLast4}. Leave blank to keep it.` : `${info.keyHint}; stored encrypted, never shown again.`;
  const title = provider ? `Edit ${provider.name}` : "Add a provider";

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="provider-form-title" data-testid="provider-form">
      <div className="card-head">
        <h2 id="provider-form-title">{title}</h2>
        {provider ? (
          <button type="button" className="link-button" onClick={() => onDone()}>
            Cancel editing
          </button>
        ) : null}
      </div>
      <fieldset className="kind-choice" aria-label="Kind">
        {(Object.keys(PROVIDER_KIND_INFO) as ProviderKind[]).map((k) => (
          <label key={k} className={`kind-option${v.kind === k ? " kind-option-on" : ""}`}>
            <input type="radio" name="provider-kind" value={k} checked={v.kind === k} onChange={() => form.set("kind", k)} />
            <span>
              <strong>{PROVIDER_KIND_INFO[k].label}</strong>
              <span className="muted small">{PROVIDER_KIND_INFO[k].description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        <Field id="provider-name" label="Name" hint="How admins recognise it, e.g. openai-prod." error={err("name")}>
          <input {...text("name", "How admins recognise it, e.g. openai-prod.")} />
        </Field>
        {remote ? (
          <Field id="provider-baseUrl" label="Base URL" hint={info.baseUrlHint} error={err("baseUrl")}>
            <input {...text("baseUrl", info.baseUrlHint)} inputMode="url" placeholder={info.baseUrlExample} />
          </Field>
        ) : (
          <div />
        )}
        {remote ? (
          <Field id="provider-apiKey" label="API key" hint={keyHint} error={err("apiKey")}>
            <input {...text("apiKey", keyHint)} type="password" autoComplete="new-password" placeholder={provider?.apiKeyLast4 ? `••••${provider.apiKeyLast4}` : "sk-…"} disabled={v.removeKey} />
          </Field>
        ) : null}
        {v.kind === "openai-compatible" ? (
          <div className="checkbox-field">
            <label className="checkbox">
              <input type="checkbox" checked={v.responsesApi} onChange={(e) => form.set("responsesApi", e.target.checked)} aria-describedby="provider-responsesApi-hint" /> Speaks the Responses API
            </label>
            <span id="provider-responsesApi-hint" className="muted small">
              /v1/responses requests go to its own /responses as they are, instead of being translated to chat completions.
            </span>
          </div>
        ) : null}
        {remote && provider?.apiKeyLast4 ? (
          <label className="checkbox checkbox-field">
            <input type="checkbox" checked={v.removeKey} onChange={(e) => form.set("removeKey", e.target.checked)} /> Remove the stored key (for servers that need none)
          </label>
        ) : null}
      </div>
      <details className="advanced">
        <summary>Retries and timeouts</summary>
        <div className="form-grid form-grid-3">
          <Field id="provider-maxAttempts" label="Attempts" hint="Per request, the first included." error={err("maxAttempts")}>
            <input {...text("maxAttempts", "Per request, the first included.")} inputMode="numeric" />
          </Field>
          <Field id="provider-firstByteTimeoutS" label="First-byte timeout" hint="Until the first token or header." error={err("firstByteTimeoutS")}>
            <WithUnit unit="s">
              <input {...text("firstByteTimeoutS", "Until the first token or header.")} inputMode="decimal" />
            </WithUnit>
          </Field>
          <Field id="provider-idleTimeoutS" label="Idle timeout" hint="Longest gap between chunks." error={err("idleTimeoutS")}>
            <WithUnit unit="s">
              <input {...text("idleTimeoutS", "Longest gap between chunks.")} inputMode="decimal" />
            </WithUnit>
          </Field>
          <Field id="provider-totalTimeoutS" label="Total deadline" hint="All attempts and fallbacks." error={err("totalTimeoutS")}>
            <WithUnit unit="s">
              <input {...text("totalTimeoutS", "All attempts and fallbacks.")} inputMode="decimal" />
            </WithUnit>
          </Field>
          <Field id="provider-maxRetryAfterS" label="Longest Retry-After" hint="Waits longer than this fail over." error={err("maxRetryAfterS")}>
            <WithUnit unit="s">
              <input {...text("maxRetryAfterS", "Waits longer than this fail over.")} inputMode="decimal" />
            </WithUnit>
          </Field>
        </div>
      </details>
      <FormError message={form.formError} />
      <div className="form-actions">
        <SaveButton busy={busy} disabled={(form.submitted && invalid) || unchanged}>
          {provider ? "Save changes" : "Add provider"}
        </SaveButton>
        {provider ? (
          <button type="button" className="button" onClick={() => onDone()}>
            Cancel
          </button>
        ) : null}
        {unchanged ? <span className="muted small">Nothing changed yet.</span> : null}
      </div>
    </form>
  );
}
