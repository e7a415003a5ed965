"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, fieldProps } from "@/app/_components/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { DEFAULT_STAGES_TEXT, newRouteFieldForParam, validateNewRoute, type NewRouteField, type NewRouteValues } from "@/lib/client/new-route-form";
import { useCreateRoute, useModels } from "@/lib/client/routes";

const EMPTY: NewRouteValues = { name: "", control: "", candidate: "", stages: DEFAULT_STAGES_TEXT };

export function NewRouteForm() {
  const router = useRouter();
  const models = useModels();
  const create = useCreateRoute();
  const [values, setValues] = useState(EMPTY);
  // Messages show once a field has been edited or a submit was tried, not on an untouched form.
  const [touched, setTouched] = useState<Partial<Record<NewRouteField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: NewRouteField | null; message: string } | null>(null);

  const { errors, body } = validateNewRoute(values);
  const invalid = Object.keys(errors).length > 0;
  const errorFor = (f: NewRouteField) =>
    ((submitted || touched[f]) && errors[f]) || (serverError?.field === f ? serverError.message : undefined);

  function set(k: NewRouteField, v: string) {
    setValues((s) => ({ ...s, [k]: v }));
    setTouched((t) => ({ ...t, [k]: true }));
    setServerError(null);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (invalid) return;
    create.mutate(body, {
      onSuccess: (route) => router.push(`/settings/routes/${route.id}`),
      onError: (err) => setServerError({ field: err instanceof ApiError ? newRouteFieldForParam(err.param) : null, message: errorMessage(err) }),
    });
  }

  const names = (models.data ?? []).map((m) => m.name);
  const noModels = models.isSuccess && names.length === 0;

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-route-title" data-testid="new-route-form">
      <h2 id="new-route-title">New route</h2>
      {noModels ? (
        <p className="muted">
          There are no models yet. Add a provider and a model first (<code>POST /api/admin/models</code>), then come back.
        </p>
      ) : null}
      {models.error ? (
        <p className="form-error" role="alert">
          Could not load models: {errorMessage(models.error)}
        </p>
      ) : null}
      <div className="form-grid">
        <Field id="route-name" label="Name" hint="What clients send as model, e.g. chat-default." error={errorFor("name")}>
          <input
            {...fieldProps("route-name", errorFor("name"), "What clients send as model, e.g. chat-default.")}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
          />
        </Field>
        <Field id="route-stages" label="Stages" hint="Candidate share at each stage, in percent." error={errorFor("stages")}>
          <input
            {...fieldProps("route-stages", errorFor("stages"), "Candidate share at each stage, in percent.")}
            type="text"
            autoComplete="off"
            value={values.stages}
            onChange={(e) => set("stages", e.target.value)}
          />
        </Field>
        <Field id="route-control" label="Control model" hint="Serves the traffic today." error={errorFor("control")}>
          <select {...fieldProps("route-control", errorFor("control"), "Serves the traffic today.")} value={values.control} onChange={(e) => set("control", e.target.value)} disabled={!models.data}>
            <option value="">{models.isPending ? "Loading models…" : "Choose a model"}</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        <Field id="route-candidate" label="Candidate model" hint="Gets a growing share while it stays healthy." error={errorFor("candidate")}>
          <select {...fieldProps("route-candidate", errorFor("candidate"), "Gets a growing share while it stays healthy.")} value={values.candidate} onChange={(e) => set("candidate", e.target.value)} disabled={!models.data}>
            <option value="">No candidate yet</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {serverError && !serverError.field ? (
        <p className="form-error" role="alert">
          {serverError.message}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending || (submitted && invalid)}>
          {create.isPending ? "Creating…" : "Create route"}
        </button>
      </div>
    </form>
  );
}
