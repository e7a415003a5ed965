"use client";
import { useRef, useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Field, fieldProps, WithUnit, FormError } from "@/app/_components/field";
import { errorMessage } from "@/lib/client/api";
import { formatCount, formatDateTime } from "@/lib/client/format";
import { optionalInt, paramLookup, useFormState } from "@/lib/client/settings/form";
import { expiryOfDay, todayValue } from "@/lib/client/settings/key-form";
import { validateKeyName } from "@/lib/client/settings/team-form";
import { useCreateKey, useRevokeKey, useTeamKeys, type CreatedKey, type KeyView, type RotatedKey } from "@/lib/client/settings/teams";
import { RotateKeyDialog } from "./rotate-key-dialog";

type KeyField = "name" | "rpmLimit" | "expiresAt";
const keyFieldForParam = paramLookup<KeyField>({ name: "name", rpmLimit: "rpmLimit", expiresAt: "expiresAt" });

const STATUS_TITLE: Record<KeyView["status"], string> = {
  active: "Works",
  expiring: "Works until its expiry",
  expired: "Refused: past its expiry",
  revoked: "Refused: revoked",
};

function KeyStatusBadge({ k }: { k: KeyView }) {
  // The expiry has its own column; the badge says what kind of state the key is in.
  const label = k.status === "expiring" ? (k.replacedBy ? "rotated" : "expires soon") : k.status;
  const title = k.status === "revoked" ? `Revoked ${formatDateTime(k.revokedAt!)}` : k.expiresAt && k.status !== "active" ? `${STATUS_TITLE[k.status]} (${formatDateTime(k.expiresAt)})` : STATUS_TITLE[k.status];
  return (
    <span className={`badge badge-${k.status}`} title={title} data-testid="key-status" data-status={k.status}>
      {label}
      {k.status === "revoked" ? ` ${formatDateTime(k.revokedAt!)}` : null}
    </span>
  );
}

export function TeamKeys({ teamId }: { teamId: string }) {
  const keys = useTeamKeys(teamId);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  const [rotating, setRotating] = useState<KeyView | null>(null);
  const revoke = useRevokeKey(teamId);
  const close = () => {
    setRevoking(null);
    revoke.reset();
  };
  const active = (keys.data ?? []).filter((k) => k.status === "active" || k.status === "expiring").length;

  return (
    <section className="card" aria-labelledby="keys-title" data-testid="team-keys">
      <div className="card-head">
        <h2 id="keys-title">API keys</h2>
        {keys.data ? (
          <span className="muted small">
            {active} working, {keys.data.length - active} revoked or expired
          </span>
        ) : null}
      </div>
      <p className="muted small">
        Programs send a key as <code>Authorization: Bearer sk-…</code> to <code>/v1/chat/completions</code>. Switchyard keeps only a hash, so
        a key is shown once, when it is created.
      </p>
      {created ? <NewKeyBox created={created} onDismiss={() => setCreated(null)} /> : null}
      <NewKeyForm teamId={teamId} onCreated={setCreated} />
      {keys.error ? (
        <p className="form-error" role="alert">
          Could not load keys: {errorMessage(keys.error)}
        </p>
      ) : !keys.data ? (
        <p className="muted">Loading keys…</p>
      ) : keys.data.length === 0 ? (
        <p className="empty-inline" data-testid="keys-empty">
          No keys yet. Create one above and give it to the program that should call the gateway for this team.
        </p>
      ) : (
        <table className="table table-compact" data-testid="keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th className="num">RPM</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Status</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id} data-testid="key-row" data-key-id={k.id} data-key-name={k.name} className={k.status === "revoked" || k.status === "expired" ? "row-muted" : undefined}>
                <td className="strong">{k.name}</td>
                <td className="mono">{k.prefix}…</td>
                <td className="num">{k.rpmLimit === null ? <span className="muted">—</span> : formatCount(k.rpmLimit)}</td>
                <td>{formatDateTime(k.createdAt)}</td>
                <td>{k.expiresAt ? formatDateTime(k.expiresAt) : <span className="muted">never</span>}</td>
                <td>
                  <KeyStatusBadge k={k} />
                </td>
                <td className="row-actions">
                  {k.status === "active" || (k.status === "expiring" && !k.replacedBy) ? (
                    <button type="button" className="button button-small" onClick={() => setRotating(k)} aria-label={`Rotate ${k.name} (${k.prefix}…)`} data-testid="rotate-key">
                      Rotate
                    </button>
                  ) : null}
                  {k.status === "active" || k.status === "expiring" ? (
                    <button type="button" className="button button-small button-danger-outline" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name} (${k.prefix}…)`}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RotateKeyDialog teamId={teamId} rotating={rotating} onClose={() => setRotating(null)} onRotated={(k: RotatedKey) => setCreated(k)} />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke key ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke key"
        danger
        busy={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onCancel={close}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: close })}
      >
        <p>
          Requests with <code>{revoking?.prefix}…</code> are refused with 401 from the next request on. This cannot be undone; create a new
          key if the program still needs access.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function NewKeyForm({ teamId, onCreated }: { teamId: string; onCreated: (k: CreatedKey) => void }) {
  const form = useFormState({ name: "", rpmLimit: "", expiresAt: "" });
  const create = useCreateKey(teamId);
  const rpm = optionalInt(form.values.rpmLimit, "RPM", 1, 1_000_000_000);
  const expiry = expiryOfDay(form.values.expiresAt);
  const errors: Partial<Record<KeyField, string>> = { name: validateKeyName(form.values.name), rpmLimit: rpm.error, expiresAt: expiry.error };
  const invalid = !!(errors.name || errors.rpmLimit || errors.expiresAt);
  const err = (f: KeyField) => form.errorFor(errors, f);

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid) return;
    const body: Record<string, unknown> = { name: form.values.name.trim() };
    if (rpm.value != null) body.rpmLimit = rpm.value;
    if (expiry.value) body.expiresAt = expiry.value;
    create.mutate(body, {
      onSuccess: (k) => {
        form.reset({ name: "", rpmLimit: "", expiresAt: "" });
        onCreated(k);
      },
      onError: (error) => form.fail(error, keyFieldForParam),
    });
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label="Create an API key" data-testid="new-key-form">
      <Field id="key-name" label="Key name" hint="Where it is used, e.g. billing-service." error={err("name")}>
        <input {...fieldProps("key-name", err("name"), "Where it is used, e.g. billing-service.")} type="text" autoComplete="off" value={form.values.name} onChange={(e) => form.set("name", e.target.value)} />
      </Field>
      <Field id="key-rpmLimit" label="Key RPM" hint="Optional, on top of the team's." error={err("rpmLimit")}>
        <WithUnit unit="RPM">
          <input {...fieldProps("key-rpmLimit", err("rpmLimit"), "Optional, on top of the team's.")} type="text" inputMode="numeric" autoComplete="off" value={form.values.rpmLimit} onChange={(e) => form.set("rpmLimit", e.target.value)} />
        </WithUnit>
      </Field>
      <Field id="key-expiresAt" label="Expires" hint="Optional: the key works through this day." error={err("expiresAt")}>
        <input
          {...fieldProps("key-expiresAt", err("expiresAt"), "Optional: the key works through this day.")}
          type="date"
          min={todayValue()}
          value={form.values.expiresAt}
          onChange={(e) => form.set("expiresAt", e.target.value)}
          data-testid="key-expires"
        />
      </Field>
      <div className="inline-form-action">
        <button type="submit" className="button button-primary" disabled={create.isPending || (form.submitted && invalid)}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </div>
      <FormError message={form.formError} inline />
    </form>
  );
}

function NewKeyBox({ created, onDismiss }: { created: CreatedKey | RotatedKey; onDismiss: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      // Without clipboard access (plain http on another host), select the text for Ctrl+C.
      input.current?.select();
      setCopied(document.execCommand?.("copy") ? "yes" : "failed");
    }
  }

  return (
    <div className="key-box" role="region" aria-label="New API key" data-testid="new-key">
      <p className="key-box-title">
        Key <strong>{created.name}</strong> {"replaces" in created ? "rotated" : "created"}
      </p>
      {"replaces" in created ? (
        <p className="small" data-testid="old-key-until">
          The old key works until {formatDateTime(created.oldKeyExpiresAt)}, then is refused. Move the programs that use it to this one before then.
        </p>
      ) : null}
      <div className="key-box-value">
        <input ref={input} className="mono" type="text" readOnly value={created.key} aria-label="API key" data-testid="new-key-value" onFocus={(e) => e.target.select()} />
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="key-box-warning" role="note">
        {copied === "failed" ? "Copying is blocked here: the key is selected, press Ctrl+C (⌘C). " : null}
        Copy it now and store it somewhere safe. It will not be shown again: Switchyard keeps only a hash.
      </p>
      <button type="button" className="button" onClick={onDismiss}>
        I have saved it
      </button>
    </div>
  );
}
