"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { api, errorMessage } from "@/lib/client/api";
import { signOutAndLeave } from "@/lib/client/auth-client";

const isActive = (pathname: string, href: string) =>
  href === "/" ? pathname === "/" || pathname.startsWith("/c/") : pathname === href || pathname.startsWith(`${href}/`);

export function NavLinks({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();
  const links = [
    { href: "/", label: "Chat" },
    { href: "/compare", label: "Compare" },
    { href: "/my-usage", label: "My usage" },
    ...(isAdmin
      ? [
          { href: "/usage", label: "Usage" },
          { href: "/settings", label: "Settings" },
        ]
      : []),
  ];
  return (
    <nav aria-label="Main" className="topnav-links">
      {links.map((l) => (
        <Link key={l.href} href={l.href} className="topnav-link" aria-current={isActive(pathname, l.href) ? "page" : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}

/** Switching team changes who pays and which models are allowed, so everything on screen is refetched. */
export function TeamSwitcher({ teams, currentTeamId }: { teams: Array<{ id: string; name: string }>; currentTeamId: string | null }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function change(teamId: string) {
    setBusy(true);
    setError(null);
    try {
      await api("/api/me", { method: "PATCH", json: { currentTeamId: teamId } });
      await queryClient.invalidateQueries();
      router.refresh();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="topnav-team-switch">
      <select
        aria-label="Team"
        data-testid="team-switcher"
        value={currentTeamId ?? ""}
        disabled={busy}
        aria-invalid={error ? true : undefined}
        onChange={(e) => void change(e.target.value)}
      >
        {teams.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {error ? (
        <span className="topnav-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="topnav-button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void signOutAndLeave();
      }}
    >
      Sign out
    </button>
  );
}
