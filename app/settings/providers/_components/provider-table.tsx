"use client";
import { Fragment, useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { formatMs } from "@/lib/client/format";
import { PROVIDER_KIND_INFO, useDeleteProvider, useTestProvider, type ProviderTestResult, type ProviderView } from "@/lib/client/settings/providers";

const MODELS_SHOWN = 40;

export function ProviderTable(props: { providers: ProviderView[]; modelCounts: Map<string, number>; editingId: string | null; onEdit: (p: ProviderView) => void }) {
  const [deleting, setDeleting] = useState<ProviderView | null>(null);
  const del = useDeleteProvider();
  const close = () => {
    setDeleting(null);
    del.reset();
  };

  return (
    <div className="card card-flush">
      <table className="table table-stack" data-testid="providers-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Kind</th>
            <th>Base URL</th>
            <th>API key</th>
            <th className="num">Models</th>
            <th className="actions-col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.providers.map((p) => (
            <ProviderRow
              key={p.id}
              provider={p}
              models={props.modelCounts.get(p.id) ?? 0}
              editing={props.editingId === p.id}
              onEdit={() => props.onEdit(p)}
              onDelete={() => setDeleting(p)}
            />
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete provider ${deleting?.name ?? ""}?`}
        confirmLabel="Delete provider"
        danger
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onCancel={close}
        onConfirm={() => deleting && del.mutate(deleting.id, { onSuccess: close })}
      >
        {deleting && (props.modelCounts.get(deleting.id) ?? 0) > 0 ? (
          <p>
            {props.modelCounts.get(deleting.id)} model(s) still use this provider. Delete them or move them to another provider first; the
            gateway refuses to leave them without an upstream.
          </p>
        ) : (
          <p>Its encrypted API key is deleted with it. Models can no longer be pointed at it.</p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function ProviderRow(props: { provider: ProviderView; models: number; editing: boolean; onEdit: () => void; onDelete: () => void }) {
  const p = props.provider;
  const test = useTestProvider(p.id);
  return (
    <Fragment>
      <tr data-testid="provider-row" data-provider={p.name} className={props.editing ? "row-selected" : undefined}>
        <td className="strong" data-label="Name">{p.name}</td>
        <td data-label="Kind">
          <span className={`badge badge-kind-${p.kind}`}>{PROVIDER_KIND_INFO[p.kind].label}</span>
        </td>
        <td className="mono truncate" title={p.baseUrl ?? undefined} data-label="Base URL">
          {p.baseUrl ?? <span className="muted">built in</span>}
        </td>
        <td className="mono" data-label="API key">{p.apiKeyLast4 ? `••••${p.apiKeyLast4}` : <span className="muted">none</span>}</td>
        <td className="num" data-label="Models">{props.models}</td>
        <td className="row-actions">
          <button type="button" className="button button-small" onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Test connection to ${p.name}`}>
            {test.isPending ? "Testing…" : "Test connection"}
          </button>
          <button type="button" className="button button-small" onClick={props.onEdit} aria-label={`Edit ${p.name}`}>
            Edit
          </button>
          <button type="button" className="button button-small button-danger-outline" onClick={props.onDelete} aria-label={`Delete ${p.name}`}>
            Delete
          </button>
        </td>
      </tr>
      {test.data || test.error ? (
        <tr className="detail-row">
          <td colSpan={6}>
            {test.error ? (
              <TestFailed status={null} message={errorMessage(test.error)} onClose={() => test.reset()} />
            ) : (
              <TestOutcome result={test.data!} onClose={() => test.reset()} />
            )}
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

function Dismiss({ onClose }: { onClose: () => void }) {
  return (
    <button type="button" className="link-button" onClick={onClose}>
      Dismiss
    </button>
  );
}

/** The server's message is one of a fixed set; the upstream's own words are never shown. */
function TestFailed({ status, message, onClose }: { status: number | null; message: string; onClose: () => void }) {
  return (
    <div className="test-result test-result-failed" role="alert" data-testid="test-result">
      <p className="test-result-title">
        Connection failed{status ? ` (HTTP ${status})` : ""} <Dismiss onClose={onClose} />
      </p>
      <p>{message}</p>
    </div>
  );
}

function TestOutcome({ result, onClose }: { result: ProviderTestResult; onClose: () => void }) {
  const [all, setAll] = useState(false);
  if (!result.ok) return <TestFailed status={result.status} message={result.message} onClose={onClose} />;
  const shown = all ? result.models : result.models.slice(0, MODELS_SHOWN);
  return (
    <div className="test-result test-result-ok" role="status" data-testid="test-result">
      <p className="test-result-title">
        Connected in {formatMs(result.latencyMs)}: {result.modelCount === 0 ? "the upstream lists no models." : `${result.modelCount} model(s) listed.`}{" "}
        <Dismiss onClose={onClose} />
      </p>
      {result.models.length ? (
        <ul className="chips" aria-label="Upstream models">
          {shown.map((m) => (
            <li key={m} className="chip mono">
              {m}
            </li>
          ))}
          {!all && result.models.length > MODELS_SHOWN ? (
            <li>
              <button type="button" className="link-button" onClick={() => setAll(true)}>
                and {result.models.length - MODELS_SHOWN} more
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
