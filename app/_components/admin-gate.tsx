"use client";
/**
 * Until user sessions exist, the settings pages ask for the admin token, check it against the
 * admin API and keep it in sessionStorage for this tab.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState, useSyncExternalStore, type FormEvent, type ReactNode } from "react";
import { clearAdminToken, getAdminToken, setAdminToken, subscribeAdminToken } from "@/lib/client/admin-token";
import { api, ApiError, errorMessage } from "@/lib/client/api";
import { Field, fieldProps } from "./field";

// undefined while rendering on the server, where sessionStorage does not exist.
const serverSnapshot = (): string | null | undefined => undefined;

export function AdminGate({ children }: { children: ReactNode }) {
  const token = useSyncExternalStore<string | null | undefined>(subscribeAdminToken, getAdminToken, serverSnapshot);
  const queryClient = useQueryClient();

  if (token === undefined) return null;
  if (!token) return <TokenForm />;
  return (
    <>
      <div className="session-bar">
        <span>Signed in with the admin token</span>
        <a
          href="#sign-out"
          onClick={(e) => {
            e.preventDefault();
            clearAdminToken();
            queryClient.clear();
          }}
        >
          Sign out
        </a>
      </div>
      {children}
    </>
  );
}

function TokenForm() {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const token = value.trim();
    if (!token) {
      setError("Enter the admin token");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api("/api/admin/routes", { token });
      queryClient.clear();
      setAdminToken(token);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "That token was refused" : errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="page page-narrow">
      <form className="card gate" onSubmit={submit} noValidate aria-labelledby="gate-title">
        <h1 id="gate-title">Admin sign-in</h1>
        <p className="muted">
          Settings need the admin token: the value of <code>SWITCHYARD_ADMIN_TOKEN</code>, or the token the server printed
          when it first started. It is kept in this browser tab only.
        </p>
        <Field id="admin-token" label="Admin token" error={error}>
          <input
            {...fieldProps("admin-token", error)}
            type="password"
            autoComplete="current-password"
            value={value}
            onChange={(e) => {
              setValue(e.target.value);
              setError(undefined);
            }}
            autoFocus
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Checking…" : "Continue"}
          </button>
        </div>
      </form>
    </main>
  );
}
