"use client";
import type { FormEvent } from "react";
import { Field, fieldProps, FormError, SaveButton } from "@/app/_components/field";
import { useFormState } from "@/lib/client/settings/form";
import { editUserFieldForParam, editUserValues, ROLES, usePatchUser, validateEditUser, type EditUserField, type Role, type UserView } from "@/lib/client/users";
import { TeamPicker } from "./team-picker";

const SELF_ROLE_HINT = "You cannot change your own role: you would lose this page.";

/** A table row under the person's own row, to change their name, role and teams in place. */
export function UserEditRow(props: { user: UserView; self: boolean; columns: number; onCancel: () => void; onSaved: (u: UserView) => void }) {
  const { user } = props;
  const form = useFormState(() => editUserValues(user));
  const patch = usePatchUser();
  const { values: v } = form;
  const { errors, body } = validateEditUser(v, user);
  const invalid = Object.keys(errors).length > 0;
  const unchanged = Object.keys(body).length === 0;
  const err = (f: EditUserField) => form.errorFor(errors, f);
  const roleHint = props.self ? SELF_ROLE_HINT : ROLES.find((r) => r.value === v.role)?.hint;

  function submit(e: FormEvent) {
    e.preventDefault();
    form.trySubmit();
    if (invalid || unchanged) return;
    patch.mutate({ id: user.id, patch: body }, { onSuccess: props.onSaved, onError: (error) => form.fail(error, editUserFieldForParam) });
  }

  return (
    <tr className="detail-row">
      <td colSpan={props.columns}>
        <form className="user-edit" onSubmit={submit} noValidate aria-label={`Edit ${user.email}`} data-testid="user-edit-form">
          <div className="form-grid">
            <Field id="user-edit-name" label="Name" error={err("name")}>
              <input {...fieldProps("user-edit-name", err("name"))} type="text" autoComplete="off" value={v.name} onChange={(e) => form.set("name", e.target.value)} />
            </Field>
            <Field id="user-edit-role" label="Role" hint={roleHint} error={err("role")}>
              <select {...fieldProps("user-edit-role", err("role"), roleHint)} value={v.role} disabled={props.self} onChange={(e) => form.set("role", e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <TeamPicker id="user-edit-teamIds" value={v.teamIds} onChange={(ids) => form.set("teamIds", ids)} error={err("teamIds")} />
          <FormError message={form.formError} />
          <div className="form-actions">
            <SaveButton busy={patch.isPending} disabled={unchanged || (form.submitted && invalid)}>
              Save changes
            </SaveButton>
            <button type="button" className="button" onClick={props.onCancel} disabled={patch.isPending}>
              Cancel
            </button>
          </div>
        </form>
      </td>
    </tr>
  );
}
