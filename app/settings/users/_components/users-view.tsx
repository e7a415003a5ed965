"use client";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useUsers } from "@/lib/client/users";
import { NewUserForm } from "./new-user-form";
import { UsersTable } from "./users-table";

export function UsersView({ selfId }: { selfId: string }) {
  const users = useUsers();
  const [notice, setNotice] = useState<string | null>(null);
  // Only the admin exists until someone is added, so "empty" means nobody else.
  const others = (users.data ?? []).filter((u) => u.id !== selfId);

  return (
    <>
      {users.error ? (
        <p className="form-error" role="alert">
          Could not load people: {errorMessage(users.error)}
        </p>
      ) : null}
      {notice ? (
        <p className="notice-ok" role="status" data-testid="users-notice">
          {notice}
        </p>
      ) : null}
      {!users.data ? (
        users.isPending ? <p className="muted">Loading people…</p> : null
      ) : (
        <>
          {others.length === 0 ? (
            <div className="card empty" data-testid="users-empty">
              <h2>Nobody else here yet</h2>
              <p>
                Add a person below with an email, a name and an initial password, and tick the teams they belong to. Then send them the
                address of this server and their password; they chat on their team&apos;s models and budget.
              </p>
              <p className="muted">Make someone an admin only if they should manage providers, models, teams and people too.</p>
            </div>
          ) : null}
          {users.data.length ? <UsersTable users={users.data} selfId={selfId} onNotice={setNotice} /> : null}
        </>
      )}
      <NewUserForm onCreated={(u) => setNotice(`Created ${u.email}${u.teams.length ? ` in ${u.teams.map((t) => t.name).join(", ")}` : ", in no team yet"}. They can sign in now.`)} />
    </>
  );
}
