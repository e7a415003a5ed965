"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** The settings sections; a new settings page adds itself here. */
export const SETTINGS_LINKS = [
  { href: "/settings/providers", label: "Providers" },
  { href: "/settings/models", label: "Models" },
  { href: "/settings/teams", label: "Teams" },
  { href: "/settings/routes", label: "Routes" },
  { href: "/settings/users", label: "Users" },
];

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="subnav">
      <div className="subnav-inner">
        <span className="subnav-title">Settings</span>
        {SETTINGS_LINKS.map((l) => (
          <Link key={l.href} href={l.href} className="subnav-link" aria-current={pathname.startsWith(l.href) ? "page" : undefined}>
            {l.label}
          </Link>
        ))}
      </div>
    </nav>
  );
}
