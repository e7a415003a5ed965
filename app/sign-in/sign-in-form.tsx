"use client";
import { useState, type FormEvent } from "react";
import { signIn, signInErrorText } from "@/lib/client/auth-client";
import { Field, fieldProps } from "../_components/field";

interface Errors {
  email?: string;
  password?: string;
  form?: string;
}

export function SignInForm({ next }: { next: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!email.trim()) found.email = "Enter your email address";
    else if (!/^\S+@\S+$/.test(email.trim())) found.email = "That does not look like an email address";
    if (!password) found.password = "Enter your password";
    setErrors(found);
    if (found.email || found.password) return;

    setBusy(true);
    const failure = await signIn(email.trim(), password);
    if (failure) {
      setErrors({ form: signInErrorText(failure) });
      setBusy(false);
      return;
    }
    // A full load, so the server renders the next page (and the top bar) with the new session.
    window.location.assign(next);
  }

  return (
    <form className="card gate" onSubmit={submit} noValidate aria-labelledby="sign-in-title" data-testid="sign-in-form">
      <h1 id="sign-in-title">Sign in to Switchyard</h1>
      <p className="muted">Use the email and password an admin gave you.</p>
      {errors.form ? (
        <p className="form-error" role="alert" data-testid="sign-in-error">
          {errors.form}
        </p>
      ) : null}
      <Field id="email" label="Email" error={errors.email}>
        <input
          {...fieldProps("email", errors.email)}
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            setErrors((x) => ({ ...x, email: undefined }));
          }}
          autoFocus
        />
      </Field>
      <Field id="password" label="Password" error={errors.password}>
        <input
          {...fieldProps("password", errors.password)}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            setErrors((x) => ({ ...x, password: undefined }));
          }}
        />
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </div>
    </form>
  );
}
