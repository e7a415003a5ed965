import { requireAdmin } from "../../_components/page-session";
import { UsersView } from "./_components/users-view";
import "../_styles/settings-pages.css";
import "./users.css";

export default async function UsersPage() {
  // The settings layout has already checked; this reads the same cached viewer to know who "you" is.
  const viewer = await requireAdmin("/settings/users");
  return (
    <main className="page">
      <title>Users · Switchyard</title>
      <div className="page-head">
        <h1>Users</h1>
        <p className="muted">The people who sign in: their role, and the teams whose models and budgets they chat with.</p>
      </div>
      <UsersView selfId={viewer.userId} />
    </main>
  );
}
