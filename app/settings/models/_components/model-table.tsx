"use client";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { formatCount } from "@/lib/client/format";
import { useDeleteModel, type ModelView } from "@/lib/client/settings/models";
import { BreakerBadge } from "./breaker-badge";

/** $0.15, $2.50, $0.0375 */
export function formatPrice(usd: number): string {
  const fixed = usd.toFixed(usd >= 0.01 || usd === 0 ? 2 : 6).replace(/(\.\d\d\d*?)0+$/, "$1");
  return `$${fixed}`;
}

const limit = (n: number | null) => (n === null ? <span className="muted">—</span> : formatCount(n));

export function ModelTable(props: { models: ModelView[]; providerNames: Map<string, string>; editingId: string | null; onEdit: (m: ModelView) => void }) {
  const [deleting, setDeleting] = useState<ModelView | null>(null);
  const del = useDeleteModel();
  const close = () => {
    setDeleting(null);
    del.reset();
  };
  const usedAsFallbackBy = (name: string) => props.models.filter((m) => m.fallbacks.includes(name)).map((m) => m.name);

  return (
    <div className="card card-flush">
      <table className="table table-dense table-stack" data-testid="models-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Provider · upstream</th>
            <th className="num">Input / 1M</th>
            <th className="num">Output / 1M</th>
            <th className="num">Max out</th>
            <th className="num">RPM</th>
            <th className="num">TPM</th>
            <th>Endpoints</th>
            <th>Fallbacks</th>
            <th>Breaker</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.models.map((m) => (
            <tr key={m.id} data-testid="model-row" data-model={m.name} className={props.editingId === m.id ? "row-selected" : undefined}>
              <td className="strong mono" data-label="Name">{m.name}</td>
              <td className="wrap" data-label="Provider · upstream">
                {props.providerNames.get(m.providerId) ?? <span className="muted">unknown provider</span>}
                <span className="muted"> · </span>
                <span className="mono small">{m.upstreamModel}</span>
              </td>
              <td className="num" data-label="Input / 1M">{formatPrice(m.inputPricePerMTok)}</td>
              <td className="num" data-label="Output / 1M">{formatPrice(m.outputPricePerMTok)}</td>
              <td className="num" data-label="Max out">{limit(m.maxOutputTokens)}</td>
              <td className="num" data-label="RPM">{limit(m.rpmLimit)}</td>
              <td className="num" data-label="TPM">{limit(m.tpmLimit)}</td>
              <td className="wrap" data-testid="model-endpoints-cell" data-label="Endpoints">{m.endpoints.join(", ")}</td>
              <td className="wrap" data-label="Fallbacks">
                {m.fallbacks.length ? (
                  <ol className="inline-list">
                    {m.fallbacks.map((f) => (
                      <li key={f} className="mono small">
                        {f}
                      </li>
                    ))}
                  </ol>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
              <td data-label="Breaker">
                <BreakerBadge breaker={m.breaker} />
              </td>
              <td className="row-actions">
                <button type="button" className="button button-small" onClick={() => props.onEdit(m)} aria-label={`Edit ${m.name}`}>
                  Edit
                </button>
                <button type="button" className="button button-small button-danger-outline" onClick={() => setDeleting(m)} aria-label={`Delete ${m.name}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete model ${deleting?.name ?? ""}?`}
        confirmLabel="Delete model"
        danger
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onCancel={close}
        onConfirm={() => deleting && del.mutate(deleting.id, { onSuccess: close })}
      >
        <p>
          Clients asking for <code>{deleting?.name}</code> get a “model not found” error from then on. Its recorded usage stays in the
          reports.
        </p>
        {deleting && usedAsFallbackBy(deleting.name).length ? (
          <p className="muted">It is also taken out of the fallbacks of {usedAsFallbackBy(deleting.name).join(", ")}.</p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
