"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useModelsLive, type ModelView } from "@/lib/client/settings/models";
import { useProviders } from "@/lib/client/settings/providers";
import { ModelForm } from "./_components/model-form";
import { ModelTable } from "./_components/model-table";
import "../_styles/settings-pages.css";

export default function ModelsPage() {
  const models = useModelsLive();
  const providers = useProviders();
  const [editing, setEditing] = useState<ModelView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const providerNames = useMemo(() => new Map((providers.data ?? []).map((p) => [p.id, p.name])), [providers.data]);
  const names = (models.data ?? []).map((m) => m.name);

  function edit(m: ModelView) {
    setNotice(null);
    setEditing(m);
    requestAnimationFrame(() => document.getElementById("model-form-title")?.scrollIntoView({ behavior: "smooth", block: "start" }));
  }

  const error = models.error ?? providers.error;
  return (
    <main className="page">
      <title>Models · Switchyard</title>
      <div className="page-head">
        <h1>Models</h1>
        <p className="muted">The names clients send as model: each served by a provider, with its prices, limits and fallbacks.</p>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          Could not load models: {errorMessage(error)}
        </p>
      ) : null}
      {notice ? (
        <p className="notice-ok" role="status" data-testid="model-notice">
          {notice}
        </p>
      ) : null}
      {!models.data ? (
        models.isPending ? <p className="muted">Loading models…</p> : null
      ) : models.data.length === 0 ? (
        <div className="card empty" data-testid="models-empty">
          <h2>No models yet</h2>
          {providers.data && providers.data.length === 0 ? (
            <p>
              A model needs a provider to serve it. <Link href="/settings/providers">Add a provider</Link> first, then come back to add its
              models here.
            </p>
          ) : (
            <p>
              Add one below: the name clients will send, the provider and upstream model that serve it, and its prices per million tokens
              so usage is costed and budgets are enforced.
            </p>
          )}
          <p className="muted">Fallbacks are tried in order when a model fails or its circuit breaker is open.</p>
        </div>
      ) : (
        <ModelTable models={models.data} providerNames={providerNames} editingId={editing?.id ?? null} onEdit={edit} />
      )}
      {providers.data ? (
        <ModelForm
          key={editing?.id ?? "new"}
          model={editing ?? undefined}
          providers={providers.data}
          modelNames={names}
          onDone={(saved) => {
            setNotice(saved ? (editing ? `Saved ${saved.name}.` : `Added ${saved.name}. Clients can use it as "model": "${saved.name}".`) : null);
            setEditing(null);
          }}
        />
      ) : null}
    </main>
  );
}
