import { meOf } from "@/lib/server/pages";
import { requireSignedIn } from "../../_components/page-session";
import { NoTeamNotice } from "../_components/no-team";
import { CompareView } from "./compare-view";

export default async function ComparePage() {
  const me = await meOf(await requireSignedIn("/compare"));
  return (
    <main className="page page-wide compare-page">
      <title>Compare · Switchyard</title>
      <div className="page-head">
        <h1>Compare</h1>
        <p className="muted">
          One prompt, two models side by side, streamed at the same time. Nothing here is saved, but each reply is billed
          to your team like any other.
        </p>
      </div>
      {me.currentTeamId === null ? <NoTeamNotice isAdmin={me.role === "admin"} /> : <CompareView teamId={me.currentTeamId} />}
    </main>
  );
}
