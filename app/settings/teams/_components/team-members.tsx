"use client";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/app/_components/confirm-dialog";
import { errorMessage } from "@/lib/client/api";
import { isMember, useMembership, useUsers } from "@/lib/client/settings/teams";

type Member = NonNullable<ReturnType<typeof useUsers>["data"]>[number];

export function TeamMembers({ teamId }: { teamId: string }) {
  const users = useUsers();
  const membership = useMembership(teamId);
  const [pick, setPick] = useState("");
  const [pendingUser, setPendingUser] = useState<string | null>(null);
  // Removing someone takes their chat away at once, so it is confirmed first.
  const [removing, setRemoving] = useState<Member | null>(null);

  const members = (users.data ?? []).filter((u) => isMember(u, teamId));
  const others = (users.data ?? []).filter((u) => !isMember(u, teamId));

  function change(userId: string, member: boolean) {
    setPendingUser(userId);
    membership.mutate(
      { userId, member },
      {
        onSuccess: () => (member ? setPick("") : setRemoving(null)),
        onSettled: () => setPendingUser(null),
      },
    );
  }

  const closeRemove = () => {
    setRemoving(null);
    membership.reset();
  };

  function add(e: FormEvent) {
    e.preventDefault();
    if (pick) change(pick, true);
  }

  return (
    <section className="card" aria-labelledby="members-title" data-testid="team-members">
      <div className="card-head">
        <h2 id="members-title">Members</h2>
        {users.data ? <span className="muted small">{members.length} member(s)</span> : null}
      </div>
      <p className="muted small">Members chat in the browser on this team&apos;s budget and limits, and see only the models it allows.</p>
      {users.error ? (
        <p className="form-error" role="alert">
          Could not load users: {errorMessage(users.error)}
        </p>
      ) : null}
      {membership.error && !removing ? (
        <p className="form-error" role="alert">
          {errorMessage(membership.error)}
        </p>
      ) : null}
      {!users.data ? (
        users.isPending ? <p className="muted">Loading members…</p> : null
      ) : (
        <>
          {members.length === 0 ? (
            <p className="empty-inline" data-testid="members-empty">
              No members yet. Add people below; they then chat with this team&apos;s models and budget.
            </p>
          ) : (
            <ul className="member-list">
              {members.map((u) => (
                <li key={u.id} className="member" data-testid="member">
                  <span>
                    <strong>{u.name}</strong> <span className="muted">{u.email}</span> {u.role === "admin" ? <span className="badge">admin</span> : null}
                  </span>
                  <button type="button" className="button button-small button-danger-outline" onClick={() => setRemoving(u)} disabled={pendingUser === u.id} aria-label={`Remove ${u.email} from the team`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          {others.length ? (
            <form className="inline-form" onSubmit={add} aria-label="Add a member">
              <div className="field">
                <label htmlFor="member-pick">Add a person</label>
                <select id="member-pick" value={pick} onChange={(e) => setPick(e.target.value)}>
                  <option value="">Choose someone</option>
                  {others.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name} · {u.email}
                    </option>
                  ))}
                </select>
              </div>
              <div className="inline-form-action">
                <button type="submit" className="button" disabled={!pick || membership.isPending}>
                  {membership.isPending && pendingUser === pick ? "Adding…" : "Add member"}
                </button>
              </div>
            </form>
          ) : (
            <p className="muted small">
              Everyone with an account is already a member. Add people on the <Link href="/settings/users">Users</Link> page.
            </p>
          )}
        </>
      )}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? ""} from the team?`}
        confirmLabel="Remove from team"
        danger
        busy={membership.isPending}
        error={removing && membership.error ? errorMessage(membership.error) : null}
        onCancel={closeRemove}
        onConfirm={() => removing && change(removing.id, false)}
      >
        <p>
          {removing?.email} can no longer chat on this team&apos;s models and budget. Their conversations and the usage already recorded
          stay. You can add them again at any time.
        </p>
      </ConfirmDialog>
    </section>
  );
}
