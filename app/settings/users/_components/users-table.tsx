"use client";
import { Fragment, useState } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { useDeleteUser, type UserView } from "@/lib/client/users";
import { ResetPasswordDialog } from "./reset-password-dialog";
import { UserEditRow } from "./user-edit-row";

const COLUMNS = 5;

/** Everyone with an account; `selfId` is the admin looking, who may not delete or demote themselves here. */
export function UsersTable(props: { users: UserView[]; selfId: string; onNotice: (text: string) => void }) {
  const [editingId, setEditingId] = useState<string | null>(null);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [deleting, setDeleting] = useState<UserView | null>(null);
  const del = useDeleteUser();
  const closeDelete = () => {
    setDeleting(null);
    del.reset();
  };

  function confirmDelete() {
    if (!deleting) return;
    const gone = deleting;
    del.mutate(gone.id, {
      onSuccess: () => {
        closeDelete();
        if (editingId === gone.id) setEditingId(null);
        props.onNotice(`Deleted ${gone.email}. They are signed out and can no longer sign in.`);
      },
    });
  }

  return (
    <div className="card card-flush">
      <table className="table table-dense table-stack users-table" data-testid="users-table">
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Role</th>
            <th>Teams</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((u) => {
            const self = u.id === props.selfId;
            const editing = editingId === u.id;
            return (
              <Fragment key={u.id}>
                <tr data-testid="user-row" data-email={u.email} className={editing ? "row-selected" : undefined}>
                  <td className="strong" data-label="Email">
                    {u.email}
                    {self ? <span className="muted small"> (you)</span> : null}
                  </td>
                  <td data-label="Name">{u.name}</td>
                  <td data-label="Role">
                    <span className={`badge badge-role-${u.role}`} data-testid="user-role">
                      {u.role}
                    </span>
                  </td>
                  <td className="wrap" data-testid="user-teams" data-label="Teams">
                    {u.teams.length ? (
                      <ul className="chips user-teams">
                        {u.teams.map((t) => (
                          <li key={t.id} className="chip small">
                            {t.name}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="no-team" title="They can sign in but not chat until they are in a team">
                        no team
                      </span>
                    )}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="button button-small" onClick={() => setEditingId(editing ? null : u.id)} aria-expanded={editing} aria-label={`Edit ${u.email}`}>
                      {editing ? "Close" : "Edit"}
                    </button>
                    <button type="button" className="button button-small" onClick={() => setResetting(u)} aria-label={`Reset password for ${u.email}`}>
                      Reset password
                    </button>
                    <button
                      type="button"
                      className="button button-small button-danger-outline"
                      onClick={() => setDeleting(u)}
                      disabled={self}
                      title={self ? "You cannot delete your own account" : undefined}
                      aria-label={`Delete ${u.email}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
                {editing ? (
                  <UserEditRow
                    user={u}
                    self={self}
                    columns={COLUMNS}
                    onCancel={() => setEditingId(null)}
                    onSaved={(saved) => {
                      setEditingId(null);
                      props.onNotice(`Saved ${saved.email}.`);
                    }}
                  />
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} onDone={(u) => props.onNotice(`Changed the password of ${u.email}.`)} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete ${deleting?.email ?? ""}?`}
        confirmLabel="Delete person"
        danger
        busy={del.isPending}
        error={del.error ? errorMessage(del.error) : null}
        onCancel={closeDelete}
        onConfirm={confirmDelete}
      >
        <p>
          {deleting?.name} is signed out everywhere at once and can no longer sign in. Their conversations are deleted with the account;
          usage already recorded stays in the reports.
        </p>
        <p className="muted">This cannot be undone. To let them back in, create a new account.</p>
      </ConfirmDialog>
    </div>
  );
}
