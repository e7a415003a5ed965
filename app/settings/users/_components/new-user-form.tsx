"use client";
import type { FormEvent } from "react";
import { Field, fieldProps, FormError } from "@/app/_components/field";
import { useFormState } from "@/lib/client/settings/form";
import { newUserFieldForParam, newUserValues, ROLES, useCreateUser, validateNewUser, type NewUserField, type Role, type UserView } from "@/lib/client/users";
import { TeamPicker } from "./team-picker";

const HINTS = {
  email: "They sign in with it.",
  password: "At least 8 characters. Give it to them privately.",
};

export function NewUserForm({ onCreated }: { onCreated: (user: UserView) => void }) {
  const form = useFormState(newUserValues);
  const create = useCreateUser();
  const { values: v } = form;
  const { errors, body } = validateNewUser(v);
  const invalid = Object.keys(errors).length > 0;
  const err = (f: NewUserField) => form.errorFor(errors, f);
  const roleHint = ROLES.find((r) => r.value === v.role)?.hint;

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid) return;
    create.mutate(body, {
      onSuccess: (user) => {
        form.reset(newUserValues());
        onCreated(user);
      },
      onError: (error) => form.fail(error, newUserFieldForParam),
    });
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-user-title" data-testid="new-user-form">
      <h2 id="new-user-title">New person</h2>
      <div className="form-grid">
        <Field id="user-email" label="Email" hint={HINTS.email} error={err("email")}>
          <input
            {...fieldProps("user-email", err("email"), HINTS.email)}
            type="email"
            autoComplete="off"
            spellCheck={false}
            value={v.email}
            onChange={(e) => form.set("email", e.target.value)}
          />
        </Field>
        <Field id="user-name" label="Name" error={err("name")}>
          <input {...fieldProps("user-name", err("name"))} type="text" autoComplete="off" value={v.name} onChange={(e) => form.set("name", e.target.value)} />
        </Field>
        <Field id="user-password" label="Initial password" hint={HINTS.password} error={err("password")}>
          <input
            {...fieldProps("user-password", err("password"), HINTS.password)}
            type="password"
            autoComplete="new-password"
            value={v.password}
            onChange={(e) => form.set("password", e.target.value)}
          />
        </Field>
        <Field id="user-role" label="Role" hint={roleHint} error={err("role")}>
          <select {...fieldProps("user-role", err("role"), roleHint)} value={v.role} onChange={(e) => form.set("role", e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <TeamPicker id="user-teamIds" value={v.teamIds} onChange={(ids) => form.set("teamIds", ids)} error={err("teamIds")} />
      <FormError message={form.formError} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={create.isPending || (form.submitted && invalid)}>
          {create.isPending ? "Creating…" : "Create person"}
        </button>
      </div>
    </form>
  );
}
