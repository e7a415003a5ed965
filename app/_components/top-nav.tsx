"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const SETTINGS_LINKS = [{ href: "/settings/routes", label: "Routes" }];

export function TopNav() {
  const pathname = usePathname();
  return (
    <header className="topnav">
      <div className="topnav-inner">
        <Link href="/" className="brand">
          Switchyard
        </Link>
        <nav aria-label="Settings" className="topnav-links">
          <span className="topnav-group">Settings</span>
          {SETTINGS_LINKS.map((l) => (
            <Link key={l.href} href={l.href} className="topnav-link" aria-current={pathname.startsWith(l.href) ? "page" : undefined}>
              {l.label}
            </Link>
          ))}
        </nav>
      </div>
    </header>
  );
}
