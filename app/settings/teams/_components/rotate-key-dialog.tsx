"use client";
import { useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { GRACE_CHOICES, GRACE_UNITS, graceInWords, graceSeconds } from "@/lib/client/settings/key-form";
import { useRotateKey, type KeyView, type RotatedKey } from "@/lib/client/settings/teams";

/**
 * Rotation of one key: a new key with the same name and limits, shown once, while the old one
 * keeps working for the grace period picked here so the programs using it can move over.
 */
export function RotateKeyDialog({ teamId, rotating, onClose, onRotated }: { teamId: string; rotating: KeyView | null; onClose: () => void; onRotated: (k: RotatedKey) => void }) {
  const rotate = useRotateKey(teamId);
  const [choice, setChoice] = useState("86400");
  const [amount, setAmount] = useState("");
  const [unit, setUnit] = useState<number>(60);
  const grace = graceSeconds(choice, amount, unit);
  const close = () => {
    rotate.reset();
    setChoice("86400");
    setAmount("");
    onClose();
  };

  return (
    <ConfirmDialog
      open={rotating !== null}
      title={`Rotate key ${rotating?.name ?? ""}?`}
      confirmLabel="Rotate key"
      busy={rotate.isPending}
      error={grace.error ?? (rotate.error ? errorMessage(rotate.error) : null)}
      onCancel={close}
      onConfirm={() => {
        if (!rotating || grace.value === undefined) return;
        rotate.mutate(
          { keyId: rotating.id, graceSeconds: grace.value },
          {
            onSuccess: (k) => {
              close();
              onRotated(k);
            },
          },
        );
      }}
    >
      <p>
        A new key takes the place of <code>{rotating?.prefix}…</code>, with the same name and limits. It is shown once.
      </p>
      <div className="field">
        <label htmlFor="rotate-grace">Old key keeps working for</label>
        <select id="rotate-grace" value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="rotate-grace">
          {GRACE_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      {choice === "other" ? (
        <div className="field rotate-grace-other">
          <label htmlFor="rotate-grace-amount">Grace period</label>
          <span className="rotate-grace-inputs">
            <input
              id="rotate-grace-amount"
              type="text"
              inputMode="numeric"
              autoComplete="off"
              value={amount}
              aria-invalid={grace.error ? true : undefined}
              onChange={(e) => setAmount(e.target.value)}
              data-testid="rotate-grace-amount"
            />
            <select aria-label="Unit" value={unit} onChange={(e) => setUnit(Number(e.target.value))} data-testid="rotate-grace-unit">
              {GRACE_UNITS.map((u) => (
                <option key={u.value} value={u.value}>
                  {u.label}
                </option>
              ))}
            </select>
          </span>
        </div>
      ) : null}
      <p className="muted small">
        {grace.value === undefined
          ? "Up to 30 days."
          : grace.value === 0
            ? "The old key is refused from the next request on."
            : `The old key keeps working for ${graceInWords(grace.value)}, then is refused with 401.`}
      </p>
    </ConfirmDialog>
  );
}
