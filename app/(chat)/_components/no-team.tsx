import Link from "next/link";

export function NoTeamNotice({ isAdmin }: { isAdmin: boolean }) {
  return (
    <div className="notice" role="status" data-testid="no-team">
      <p className="notice-title">You are not in any team yet</p>
      {isAdmin ? (
        <p>
          Chat requests are billed to a team, so you need to be in one before you can talk to a model. Create a team in{" "}
          <Link href="/settings/teams">Settings → Teams</Link> and add yourself to it.
        </p>
      ) : (
        <p>
          Chat requests are billed to a team, so you need to be in one before you can talk to a model. Ask an admin of this
          Switchyard to add you to a team.
        </p>
      )}
    </div>
  );
}
