"use client";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { Field, fieldProps } from "@/app/_components/field";
import { ApiError, errorMessage } from "@/lib/client/api";
import { passwordError, usePatchUser, type UserView } from "@/lib/client/users";

const HINT = "At least 8 characters. Give it to them privately.";

/** Sets a new password for `user`; open while `user` is not null. */
export function ResetPasswordDialog(props: { user: UserView | null; onClose: () => void; onDone: (u: UserView) => void }) {
  const [password, setPassword] = useState("");
  const [tried, setTried] = useState(false);
  const patch = usePatchUser();
  const error = password || tried ? passwordError(password) : undefined;
  // A server complaint about the password goes under the field; anything else above the buttons.
  const serverField = patch.error instanceof ApiError && patch.error.param === "password" ? patch.error.message : undefined;
  const fieldError = error ?? serverField;

  function close() {
    setPassword("");
    setTried(false);
    patch.reset();
    props.onClose();
  }

  function save(e?: FormEvent) {
    e?.preventDefault();
    setTried(true);
    if (!props.user || passwordError(password)) return;
    const user = props.user;
    patch.mutate(
      { id: user.id, patch: { password } },
      {
        onSuccess: (saved) => {
          close();
          props.onDone(saved);
        },
      },
    );
  }

  return (
    <ConfirmDialog
      open={props.user !== null}
      title={`New password for ${props.user?.email ?? ""}`}
      confirmLabel="Set password"
      busy={patch.isPending}
      error={patch.error && !serverField ? errorMessage(patch.error) : null}
      onCancel={close}
      onConfirm={() => save()}
    >
      <form onSubmit={save} noValidate data-testid="reset-password-form">
        <Field id="reset-password" label="New password" hint={HINT} error={fieldError}>
          <input
            {...fieldProps("reset-password", fieldError, HINT)}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              patch.reset();
            }}
          />
        </Field>
      </form>
      <p className="muted small">Their open sessions end at once; they sign in again with the new password.</p>
    </ConfirmDialog>
  );
}
