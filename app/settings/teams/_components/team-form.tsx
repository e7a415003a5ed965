"use client";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { Field, fieldProps, WithUnit, FormError, SaveButton } from "@/app/_components/field";
import { useFormState } from "@/lib/client/settings/form";
import { useModels } from "@/lib/client/settings/models";
import { newTeamValues, teamFieldForParam, teamValues, validateTeam, type TeamField } from "@/lib/client/settings/team-form";
import { useCreateTeam, usePatchTeam, useRouteNames, type TeamView } from "@/lib/client/settings/teams";

type TextField = Exclude<TeamField, "allowAll" | "allowedModels" | "cacheMode">;

const CACHE_HINT = "Deterministic: only requests at temperature 0 or with a seed. A hit costs nothing and calls no upstream.";

/** Creates a team, or edits `team` when given. */
export function TeamForm({ team, onDone }: { team?: TeamView; onDone: (saved: TeamView) => void }) {
  const form = useFormState(() => (team ? teamValues(team) : newTeamValues()));
  const create = useCreateTeam();
  const patch = usePatchTeam(team?.id ?? "");
  const models = useModels();
  const routes = useRouteNames();
  const busy = create.isPending || patch.isPending;
  const { values: v } = form;
  const [saved, setSaved] = useState(false);

  const { errors, body } = validateTeam(v, team);
  const invalid = Object.keys(errors).length > 0;
  const unchanged = !!team && Object.keys(body).length === 0;
  const err = (f: TeamField) => form.errorFor(errors, f);
  const prefix = team ? "team-edit" : "team";

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid || unchanged) return;
    const onError = (error: unknown) => form.fail(error, teamFieldForParam);
    if (team)
      patch.mutate(body, {
        onSuccess: (t) => {
          form.reset(teamValues(t));
          setSaved(true);
          onDone(t);
        },
        onError,
      });
    else
      create.mutate(body, {
        onSuccess: (t) => {
          form.reset(newTeamValues());
          onDone(t);
        },
        onError,
      });
  }

  const set = <K extends TeamField>(k: K, value: (typeof v)[K]) => {
    setSaved(false);
    form.set(k, value);
  };
  const text = (k: TextField, hint?: string, inputMode: "text" | "decimal" | "numeric" = "decimal") => ({
    ...fieldProps(`${prefix}-${k}`, err(k), hint),
    type: "text",
    inputMode,
    autoComplete: "off",
    value: v[k],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(k, e.target.value),
  });

  // Names the team is allowed that no longer exist (a model or route deleted since) stay listed,
  // marked as missing, so saving never drops them silently and unticking one removes it.
  const existing = models.data && routes.data ? new Set([...models.data.map((m) => m.name), ...routes.data]) : null;
  const names = [...new Set([...(models.data ?? []).map((m) => m.name), ...(routes.data ?? []), ...v.allowedModels])].sort();
  const routeSet = new Set(routes.data ?? []);
  const missing = existing ? v.allowedModels.filter((n) => !existing.has(n)) : [];
  const toggle = (name: string, on: boolean) => set("allowedModels", on ? [...v.allowedModels, name] : v.allowedModels.filter((n) => n !== name));

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={`${prefix}-title`} data-testid={team ? "team-edit-form" : "new-team-form"}>
      <h2 id={`${prefix}-title`}>{team ? "Budgets, limits and models" : "New team"}</h2>
      <div className="form-grid">
        <Field id={`${prefix}-name`} label="Name" error={err("name")}>
          <input {...text("name", undefined, "text")} />
        </Field>
        <Field id={`${prefix}-alertThresholdPct`} label="Alert threshold" hint="A budget alert is recorded once per period at this share of a cap." error={err("alertThresholdPct")}>
          <WithUnit unit="%">
            <input {...text("alertThresholdPct", "A budget alert is recorded once per period at this share of a cap.", "numeric")} />
          </WithUnit>
        </Field>
        <Field id={`${prefix}-dailyBudget`} label="Daily budget" hint="Resets at 00:00 UTC; blank for no cap." error={err("dailyBudget")}>
          <WithUnit unit="USD">
            <input {...text("dailyBudget", "Resets at 00:00 UTC; blank for no cap.")} />
          </WithUnit>
        </Field>
        <Field id={`${prefix}-monthlyBudget`} label="Monthly budget" hint="Resets on the 1st, UTC; blank for no cap." error={err("monthlyBudget")}>
          <WithUnit unit="USD">
            <input {...text("monthlyBudget", "Resets on the 1st, UTC; blank for no cap.")} />
          </WithUnit>
        </Field>
        <Field id={`${prefix}-rpmLimit`} label="Requests per minute" hint="For the whole team; blank for no limit." error={err("rpmLimit")}>
          <WithUnit unit="RPM">
            <input {...text("rpmLimit", "For the whole team; blank for no limit.", "numeric")} />
          </WithUnit>
        </Field>
        <Field id={`${prefix}-tpmLimit`} label="Tokens per minute" hint="Prompt + max output, charged up front; blank for no limit." error={err("tpmLimit")}>
          <WithUnit unit="TPM">
            <input {...text("tpmLimit", "Prompt + max output, charged up front; blank for no limit.", "numeric")} />
          </WithUnit>
        </Field>
        <Field id={`${prefix}-cacheMode`} label="Response cache" hint={CACHE_HINT} error={err("cacheMode")}>
          <select {...fieldProps(`${prefix}-cacheMode`, err("cacheMode"), CACHE_HINT)} value={v.cacheMode} onChange={(e) => set("cacheMode", e.target.value as typeof v.cacheMode)}>
            <option value="off">Off</option>
            <option value="deterministic">Deterministic requests</option>
            <option value="all">All requests</option>
          </select>
        </Field>
        {v.cacheMode !== "off" ? (
          <Field id={`${prefix}-cacheTtlSeconds`} label="Keep answers for" hint="Seconds before a cached answer expires." error={err("cacheTtlSeconds")}>
            <WithUnit unit="s">
              <input {...text("cacheTtlSeconds", "Seconds before a cached answer expires.", "numeric")} />
            </WithUnit>
          </Field>
        ) : null}
      </div>
      <fieldset className="fieldset" aria-describedby={err("allowedModels") ? `${prefix}-allowedModels-error` : undefined}>
        <legend>Allowed models</legend>
        <label className="checkbox">
          <input type="checkbox" checked={v.allowAll} onChange={(e) => set("allowAll", e.target.checked)} /> Every model and route, including ones added later
        </label>
        {!v.allowAll ? (
          names.length ? (
            <div className="check-grid" data-testid={`${prefix}-allowed-models`}>
              {names.map((n) => (
                <label key={n} className="checkbox">
                  <input type="checkbox" checked={v.allowedModels.includes(n)} onChange={(e) => toggle(n, e.target.checked)} />
                  <span className="mono small">{n}</span>
                  {routeSet.has(n) ? <span className="badge">route</span> : null}
                  {missing.includes(n) ? (
                    <span className="badge badge-missing" data-testid="allowed-missing">
                      no longer exists
                    </span>
                  ) : null}
                </label>
              ))}
            </div>
          ) : (
            <p className="muted small">There are no models or routes yet to choose from.</p>
          )
        ) : null}
        {!v.allowAll && missing.length ? (
          <p className="field-hint" data-testid={`${prefix}-missing-hint`}>
            {missing.length === 1 ? `${missing[0]} was deleted; untick it` : `${missing.join(", ")} were deleted; untick them`} and save to take{" "}
            {missing.length === 1 ? "it" : "them"} off this team&apos;s list.
          </p>
        ) : null}
        {err("allowedModels") ? (
          <p className="field-error" id={`${prefix}-allowedModels-error`} data-testid={`${prefix}-allowedModels-error`}>
            {err("allowedModels")}
          </p>
        ) : null}
      </fieldset>
      <FormError message={form.formError} />
      <div className="form-actions">
        <SaveButton busy={busy} disabled={(form.submitted && invalid) || unchanged}>
          {team ? "Save changes" : "Create team"}
        </SaveButton>
        {saved && unchanged ? (
          <span className="saved" role="status" data-testid="team-saved">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
