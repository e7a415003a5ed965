"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { api, errorMessage } from "@/lib/client/api";
import { signOutAndLeave } from "@/lib/client/auth-client";

const isActive = (pathname: string, href: string) =>
  href === "/" ? pathname === "/" || pathname.startsWith("/c/") : pathname === href || pathname.startsWith(`${href}/`);

/**
 * The links and the account part of the bar. Wide screens show them inline; narrow ones (the CSS
 * decides where) fold them behind a Menu button that opens them as a panel under the bar.
 */
export function TopNavMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);

  // Following a link closes the menu.
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>("a, button, select")?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!panelRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="topnav-menu-button"
        aria-expanded={open}
        aria-controls="topnav-menu"
        data-testid="nav-menu-button"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true" className="menu-icon" />
        Menu
      </button>
      <div ref={panelRef} id="topnav-menu" className="topnav-menu" data-open={open ? "true" : undefined}>
        {children}
      </div>
    </>
  );
}

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
