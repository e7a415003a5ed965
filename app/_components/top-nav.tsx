import Link from "next/link";
import { meOf } from "@/lib/server/pages";
import { NotificationBell } from "./notification-bell";
import { currentViewer } from "./page-session";
import { ThemeToggle } from "./theme-toggle";
import { NavLinks, SignOutButton, TeamSwitcher, TopNavMenu } from "./top-nav-parts";

/**
 * The bar on every page: where to go, who is signed in, which team pays for the chat. On narrow
 * screens the links and the account part fold into a menu; the tools (notifications, theme) stay.
 */
export async function TopNav() {
  const viewer = await currentViewer();
  const me = viewer ? await meOf(viewer) : null;
  return (
    <header className="topnav">
      <div className="topnav-inner">
        <Link href="/" className="brand">
          Switchyard
        </Link>
        {me ? (
          <TopNavMenu>
            <NavLinks isAdmin={me.role === "admin"} />
            <div className="topnav-user" data-testid="nav-user">
              {me.teams.length > 1 ? (
                <TeamSwitcher teams={me.teams} currentTeamId={me.currentTeamId} />
              ) : me.teams.length === 1 ? (
                <span className="topnav-team" data-testid="nav-team">
                  {me.teams[0]!.name}
                </span>
              ) : null}
              <span className="topnav-email" data-testid="nav-email" title={me.email}>
                {me.email}
              </span>
              <SignOutButton />
            </div>
          </TopNavMenu>
        ) : null}
        <div className="topnav-tools">
          {me ? (
            <div className="topnav-slot" data-slot="notifications">
              {me.role === "admin" ? <NotificationBell /> : null}
            </div>
          ) : null}
          <ThemeToggle />
        </div>
      </div>
    </header>
  );
}
