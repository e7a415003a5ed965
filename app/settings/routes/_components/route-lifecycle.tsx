"use client";
/** The route's models: start a new candidate, change the control, or delete the route. */
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Field, FormError, fieldProps, WithUnit } from "@/app/_components/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { parseNumber } from "@/lib/client/route-form";
import { useDeleteRoute, useModels, usePatchRoute, type RouteView } from "@/lib/client/routes";
import "./route-lifecycle.css";

/** A candidate can be started when there is none serving: no candidate, or after a promotion or rollback. */
export const canStartCandidate = (r: Pick<RouteView, "candidate" | "status">) => !r.candidate || r.status === "rolled_back" || r.status === "promoted";

function StartCandidate({ route, names }: { route: RouteView; names: string[] }) {
  const patch = usePatchRoute(route.id);
  const [model, setModel] = useState("");
  const [weight, setWeight] = useState(String(route.stages[0] ?? 5));
  const [tried, setTried] = useState(false);
  const choices = names.filter((n) => n !== route.control);
  const w = parseNumber(weight);
  const errors = {
    model: model ? undefined : "Choose the model to try",
    weight: w === null || Number.isNaN(w) || w <= 0 || w > 100 ? "Weight must be above 0 and at most 100" : undefined,
  };
  const server = patch.error instanceof ApiError ? patch.error : null;
  const modelError = (tried && errors.model) || (server?.param === "candidate" ? server.message : undefined);
  const weightError = errors.weight ?? (server?.param === "candidateWeight" ? server.message : undefined);

  function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (errors.model || errors.weight) return;
    patch.mutate({ candidate: model, candidateWeight: w }, { onSuccess: () => setModel("") });
  }

  const hint = `Starts a fresh rollout from this share of traffic; ${route.control} keeps the rest.`;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="start-candidate-title" data-testid="start-candidate">
      <h3 id="start-candidate-title">Start a new candidate</h3>
      <div className="form-grid">
        <Field id="new-candidate" label="Candidate model" error={modelError}>
          <select {...fieldProps("new-candidate", modelError)} value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">Choose a model</option>
            {choices.map((n) => (
              <option key={n} value={n}>
                {n}
                {n === route.candidate ? " (rolled back)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <Field id="new-candidate-weight" label="Starting weight" hint={hint} error={weightError}>
          <WithUnit unit="%">
            <input {...fieldProps("new-candidate-weight", weightError, hint)} type="text" inputMode="decimal" autoComplete="off" value={weight} onChange={(e) => setWeight(e.target.value)} />
          </WithUnit>
        </Field>
      </div>
      <FormError message={patch.error && !server?.param ? errorMessage(patch.error) : null} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={patch.isPending || Boolean(errors.weight)}>
          {patch.isPending ? "Starting…" : "Start candidate"}
        </button>
      </div>
    </form>
  );
}

function ChangeControl({ route, names }: { route: RouteView; names: string[] }) {
  const patch = usePatchRoute(route.id);
  const [model, setModel] = useState(route.control);
  const [base, setBase] = useState(route.control);
  const [saved, setSaved] = useState(false);
  // Follows a control changed elsewhere (a promotion) unless the user has picked another one.
  if (route.control !== base) {
    setBase(route.control);
    if (model === base) setModel(route.control);
  }
  const choices = names.filter((n) => n !== route.candidate || canStartCandidate(route));
  const hint = route.candidate && !canStartCandidate(route) ? "The candidate is compared against this model from now on." : "Serves the traffic the candidate does not get.";

  function submit(e: FormEvent) {
    e.preventDefault();
    if (model === route.control) return;
    setSaved(false);
    patch.mutate({ control: model }, { onSuccess: () => setSaved(true) });
  }

  const error = patch.error ? errorMessage(patch.error) : undefined;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="control-title" data-testid="change-control">
      <h3 id="control-title">Control</h3>
      <div className="form-grid">
        <Field id="control-model" label="Control model" hint={hint} error={error}>
          <select
            {...fieldProps("control-model", error, hint)}
            value={model}
            onChange={(e) => {
              setModel(e.target.value);
              setSaved(false);
              patch.reset();
            }}
          >
            {(choices.includes(route.control) ? choices : [route.control, ...choices]).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={patch.isPending || model === route.control}>
          {patch.isPending ? "Saving…" : "Change control"}
        </button>
        {saved && model === route.control ? (
          <span className="saved" role="status" data-testid="control-saved">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}

function DeleteRoute({ route }: { route: RouteView }) {
  const router = useRouter();
  const del = useDeleteRoute(route.id);
  const [open, setOpen] = useState(false);
  return (
    <div className="route-delete" data-testid="delete-route">
      <h3>Delete this route</h3>
      <p className="muted">Clients sending model {route.name} get an unknown-model error afterwards. Usage already recorded stays in reports.</p>
      <button
        type="button"
        className="button button-danger-outline"
        onClick={() => {
          del.reset();
          setOpen(true);
        }}
      >
        Delete route
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete the route ${route.name}?`}
        confirmLabel="Delete route"
        danger
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onCancel={() => setOpen(false)}
        onConfirm={() => del.mutate(undefined, { onSuccess: () => router.push("/settings/routes") })}
      >
        <p>
          <strong>{route.name}</strong> stops working at once for every client that uses it. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export function RouteLifecycle({ route }: { route: RouteView }) {
  const models = useModels();
  const names = (models.data ?? []).map((m) => m.name);
  return (
    <section className="card route-lifecycle" aria-labelledby="lifecycle-title" data-testid="route-lifecycle">
      <h2 id="lifecycle-title">Models</h2>
      {models.error ? <FormError message={`Could not load models: ${errorMessage(models.error)}`} /> : null}
      {canStartCandidate(route) ? <StartCandidate key={`${route.status}-${route.candidate ?? ""}`} route={route} names={names} /> : null}
      <ChangeControl route={route} names={names} />
      <DeleteRoute route={route} />
    </section>
  );
}
