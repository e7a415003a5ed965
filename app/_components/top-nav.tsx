import Link from "next/link";
import { meOf } from "@/lib/server/pages";
import { NotificationBell } from "./notification-bell";
import { currentViewer } from "./page-session";
import { NavLinks, SignOutButton, TeamSwitcher } from "./top-nav-parts";

/** The bar on every page: where to go, who is signed in, which team pays for the chat. */
export async function TopNav() {
  const viewer = await currentViewer();
  const me = viewer ? meOf(viewer) : null;
  return (
    <header className="topnav">
      <div className="topnav-inner">
        <Link href="/" className="brand">
          Switchyard
        </Link>
        {me ? (
          <>
            <NavLinks isAdmin={me.role === "admin"} />
            <div className="topnav-user" data-testid="nav-user">
              {me.role === "admin" ? <NotificationBell /> : null}
              {me.teams.length > 1 ? (
                <TeamSwitcher teams={me.teams} currentTeamId={me.currentTeamId} />
              ) : me.teams.length === 1 ? (
                <span className="topnav-team" data-testid="nav-team">
                  {me.teams[0]!.name}
                </span>
              ) : null}
              <span className="topnav-email" data-testid="nav-email">
                {me.email}
              </span>
              <SignOutButton />
            </div>
          </>
        ) : null}
      </div>
    </header>
  );
}
