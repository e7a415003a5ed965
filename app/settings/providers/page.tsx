"use client";
import { useMemo, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useModels } from "@/lib/client/routes";
import { useProviders, type ProviderView } from "@/lib/client/settings/providers";
import { ProviderForm } from "./_components/provider-form";
import { ProviderTable } from "./_components/provider-table";
import "../_styles/settings-pages.css";

export default function ProvidersPage() {
  const providers = useProviders();
  const models = useModels();
  const [editing, setEditing] = useState<ProviderView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const modelCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const m of models.data ?? []) counts.set(m.providerId, (counts.get(m.providerId) ?? 0) + 1);
    return counts;
  }, [models.data]);

  function edit(p: ProviderView) {
    setNotice(null);
    setEditing(p);
    requestAnimationFrame(() => document.getElementById("provider-form-title")?.scrollIntoView({ behavior: "smooth", block: "start" }));
  }

  return (
    <main className="page">
      <title>Providers · Switchyard</title>
      <div className="page-head">
        <h1>Providers</h1>
        <p className="muted">Where requests go: an upstream server with its base URL and key. Models point at a provider.</p>
      </div>
      {providers.error ? (
        <p className="form-error" role="alert">
          Could not load providers: {errorMessage(providers.error)}
        </p>
      ) : null}
      {notice ? (
        <p className="notice-ok" role="status" data-testid="provider-notice">
          {notice}
        </p>
      ) : null}
      {!providers.data ? (
        providers.isPending ? <p className="muted">Loading providers…</p> : null
      ) : providers.data.length === 0 ? (
        <div className="card empty" data-testid="providers-empty">
          <h2>No providers yet</h2>
          <p>
            Add one below: an <strong>OpenAI-compatible</strong> server (OpenAI, OpenRouter, a local Ollama or vLLM) with its base URL and
            API key, or the built-in <strong>simulator</strong> to try Switchyard without any network.
          </p>
          <p className="muted">Then use “Test connection” to list its models, and add the ones you want under Models.</p>
        </div>
      ) : (
        <ProviderTable providers={providers.data} modelCounts={modelCounts} editingId={editing?.id ?? null} onEdit={edit} />
      )}
      <ProviderForm
        key={editing?.id ?? "new"}
        provider={editing ?? undefined}
        onDone={(saved) => {
          setNotice(saved ? (editing ? `Saved ${saved.name}.` : `Added ${saved.name}. Test its connection, then add models for it.`) : null);
          setEditing(null);
        }}
      />
    </main>
  );
}
