"use client";
import { useState, type FormEvent } from "react";
import { api, ApiError, errorMessage } from "@/lib/client/api";
import { signIn, signInErrorText } from "@/lib/client/auth-client";
import { Field, fieldProps } from "../_components/field";

type FieldName = "name" | "email" | "password" | "setupToken";
type Errors = Partial<Record<FieldName | "form", string>>;

const MIN_PASSWORD = 8;

/** `askToken`: the page was opened from another machine, so the token printed at start is needed. */
export function SetupForm({ askToken }: { askToken: boolean }) {
  const [values, setValues] = useState<Record<FieldName, string>>({ name: "", email: "", password: "", setupToken: "" });
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const set = (field: FieldName, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!values.name.trim()) found.name = "Enter your name";
    if (!/^\S+@\S+$/.test(values.email.trim())) found.email = "Enter an email address";
    if (values.password.length < MIN_PASSWORD) found.password = `Use at least ${MIN_PASSWORD} characters`;
    if (askToken && !values.setupToken.trim()) found.setupToken = "Enter the setup token from the server's start-up output";
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;

    setBusy(true);
    try {
      const token = askToken ? { setupToken: values.setupToken.trim() } : {};
      await api("/api/setup", { json: { name: values.name.trim(), email: values.email.trim(), password: values.password, ...token } });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setDone(true);
      else if (err instanceof ApiError && (err.param === "name" || err.param === "email" || err.param === "password" || err.param === "setupToken")) setErrors({ [err.param]: err.message });
      else setErrors({ form: errorMessage(err) });
      setBusy(false);
      return;
    }
    const failure = await signIn(values.email.trim(), values.password);
    if (failure) {
      setErrors({ form: `Your account was created, but signing in failed: ${signInErrorText(failure)}` });
      setBusy(false);
      return;
    }
    window.location.assign("/");
  }

  if (done) {
    return (
      <div className="card gate" role="status">
        <h1>Setup is already done</h1>
        <p>
          Someone created the first admin a moment ago. <a href="/sign-in">Sign in</a>, or ask them for an account.
        </p>
      </div>
    );
  }

  return (
    <form className="card gate" onSubmit={submit} noValidate aria-labelledby="setup-title" data-testid="setup-form">
      <h1 id="setup-title">Welcome to Switchyard</h1>
      <p className="muted">Create the first admin account. Admins add everyone else from the settings.</p>
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <Field id="name" label="Your name" error={errors.name}>
        <input {...fieldProps("name", errors.name)} type="text" autoComplete="name" value={values.name} onChange={(e) => set("name", e.target.value)} autoFocus />
      </Field>
      <Field id="email" label="Email" error={errors.email}>
        <input {...fieldProps("email", errors.email)} type="email" autoComplete="username" value={values.email} onChange={(e) => set("email", e.target.value)} />
      </Field>
      <Field id="password" label="Password" error={errors.password} hint={`At least ${MIN_PASSWORD} characters.`}>
        <input
          {...fieldProps("password", errors.password, "hint")}
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={(e) => set("password", e.target.value)}
        />
      </Field>
      {askToken ? (
        <Field
          id="setupToken"
          label="Setup token"
          error={errors.setupToken}
          hint="You are not on the server itself, so setup needs the token it printed when it started (a line beginning “Setup token”)."
        >
          <input
            {...fieldProps("setupToken", errors.setupToken, "hint")}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.setupToken}
            onChange={(e) => set("setupToken", e.target.value)}
          />
        </Field>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Creating…" : "Create admin and sign in"}
        </button>
      </div>
    </form>
  );
}
