"use client";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Field, fieldProps, SaveButton, WithUnit } from "@/app/_components/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { fieldForParam, routeFormValues, validateRouteForm, type RouteFormField, type RouteFormValues } from "@/lib/client/route-form";
import { usePatchRoute, type RouteView } from "@/lib/client/routes";

const same = (a: RouteFormValues, b: RouteFormValues) => (Object.keys(a) as RouteFormField[]).every((k) => a[k] === b[k]);

export function RouteEditForm({ route }: { route: RouteView }) {
  // `base` is what the form was filled from; while the user has not touched anything it follows
  // the live route, so a stage the evaluator advanced is not sent back as an edit.
  const [base, setBase] = useState(() => routeFormValues(route));
  const [draft, setDraft] = useState(base);
  const [serverError, setServerError] = useState<{ field: RouteFormField | null; message: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const patchRoute = usePatchRoute(route.id);

  const fresh = routeFormValues(route);
  if (!same(fresh, base) && same(draft, base)) {
    setBase(fresh);
    setDraft(fresh);
    setSaved(false);
  }

  const { errors, patch } = validateRouteForm(draft, route);
  const invalid = Object.keys(errors).length > 0;
  const changed = Object.keys(patch).length > 0;
  const dirty = !same(draft, base);
  const errorFor = (f: RouteFormField) => errors[f] ?? (serverError?.field === f ? serverError.message : undefined);

  function set<K extends RouteFormField>(k: K, v: RouteFormValues[K]) {
    setDraft((d) => ({ ...d, [k]: v }));
    setServerError(null);
    setSaved(false);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (invalid || !changed) return;
    patchRoute.mutate(patch, {
      onSuccess: (updated) => {
        const v = routeFormValues(updated);
        setBase(v);
        setDraft(v);
        setSaved(true);
      },
      onError: (err) => setServerError({ field: err instanceof ApiError ? fieldForParam(err.param) : null, message: errorMessage(err) }),
    });
  }

  const text = (k: Exclude<RouteFormField, "autoAdvance">, hint?: string, mode: "decimal" | "numeric" = "decimal") => ({
    ...fieldProps(k, errorFor(k), hint),
    type: "text",
    inputMode: mode,
    autoComplete: "off",
    value: draft[k],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(k, e.target.value),
  });

  const weightHint =
    route.status === "rolled_back" || route.status === "promoted"
      ? "Share of traffic for the candidate. A new weight starts a fresh rollout."
      : "Share of traffic for the candidate. A new weight restarts the stage it reaches.";
  const stagesHint = "Candidate share at each stage, in percent, e.g. 5, 25, 50, 100.";

  return (
    <form className="card edit-form" onSubmit={submit} noValidate aria-labelledby="edit-title" data-testid="route-edit-form">
      <h2 id="edit-title">Split and guardrails</h2>
      <div className="form-grid">
        <Field id="candidateWeight" label="Candidate weight" hint={route.candidate ? weightHint : "No candidate: start one under Models above."} error={errorFor("candidateWeight")}>
          <WithUnit unit="%">
            <input {...text("candidateWeight", weightHint)} disabled={!route.candidate} />
          </WithUnit>
        </Field>
        <Field id="stages" label="Stages" hint={stagesHint} error={errorFor("stages")}>
          <input {...text("stages", stagesHint)} inputMode="text" />
        </Field>
      </div>

      <fieldset className="fieldset">
        <legend>Guardrails</legend>
        <div className="form-grid form-grid-3">
          <Field id="maxErrorRatePct" label="Max error rate" hint="Roll back when the candidate is surely above this." error={errorFor("maxErrorRatePct")}>
            <WithUnit unit="%">
              <input {...text("maxErrorRatePct", "Roll back when the candidate is surely above this.")} />
            </WithUnit>
          </Field>
          <Field id="maxP95LatencyMs" label="Max p95 latency" hint="Blank for no cap." error={errorFor("maxP95LatencyMs")}>
            <WithUnit unit="ms">
              <input {...text("maxP95LatencyMs", "Blank for no cap.", "numeric")} placeholder="no cap" />
            </WithUnit>
          </Field>
          <Field id="maxP95TtftMs" label="Max p95 time to first token" hint="Blank for no cap." error={errorFor("maxP95TtftMs")}>
            <WithUnit unit="ms">
              <input {...text("maxP95TtftMs", "Blank for no cap.", "numeric")} placeholder="no cap" />
            </WithUnit>
          </Field>
          <Field id="minSamples" label="Min samples" hint="Candidate requests per stage before comparing." error={errorFor("minSamples")}>
            <input {...text("minSamples", "Candidate requests per stage before comparing.", "numeric")} />
          </Field>
          <Field id="errorRateMarginPct" label="Error-rate margin" hint="Tolerated excess over control's error rate." error={errorFor("errorRateMarginPct")}>
            <WithUnit unit="%">
              <input {...text("errorRateMarginPct", "Tolerated excess over control's error rate.")} />
            </WithUnit>
          </Field>
        </div>
      </fieldset>

      <label className="checkbox">
        <input type="checkbox" id="autoAdvance" checked={draft.autoAdvance} onChange={(e) => set("autoAdvance", e.target.checked)} />
        Advance through the stages on its own while healthy, and promote at the last one
      </label>
      {errorFor("autoAdvance") ? <p className="field-error">{errorFor("autoAdvance")}</p> : null}

      {serverError && !serverError.field ? (
        <p className="form-error" role="alert">
          {serverError.message}
        </p>
      ) : null}

      <div className="form-actions">
        <SaveButton busy={patchRoute.isPending} disabled={invalid || !changed}>
          Save
        </SaveButton>
        <button
          type="button"
          className="button"
          disabled={!dirty || patchRoute.isPending}
          onClick={() => {
            setDraft(fresh);
            setBase(fresh);
            setServerError(null);
          }}
        >
          Discard changes
        </button>
        {saved && !dirty ? (
          <span className="saved" role="status" data-testid="saved">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
