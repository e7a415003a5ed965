"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** Why this page is for admins, in terms of the page that was asked for. */
function reasonFor(pathname: string): { section: string; text: string } {
  if (pathname === "/usage/requests") {
    return {
      section: "Request log",
      text: "The request log lists every team's requests, so only admins of this Switchyard can open it. Your own requests, and what your team has left to spend, are under My usage.",
    };
  }
  if (pathname === "/usage" || pathname.startsWith("/usage/")) {
    return {
      section: "Usage",
      text: "The usage dashboard shows every team's spend, requests and budgets, so only admins of this Switchyard can open it. The line under each chat reply shows what that reply cost; your own spend, and what your team has left, are under My usage.",
    };
  }
  if (pathname === "/settings" || pathname.startsWith("/settings/")) {
    return {
      section: "Settings",
      text: "Settings change how the gateway behaves for everyone, so only admins of this Switchyard can open them. If you need access, ask an admin to make you one.",
    };
  }
  return { section: "This page", text: "Only admins of this Switchyard can open this page. If you need access, ask an admin to make you one." };
}

export default function Forbidden() {
  const { section, text } = reasonFor(usePathname());
  return (
    <main className="page page-narrow" data-testid="forbidden">
      <title>{`${section}: admins only · Switchyard`}</title>
      <div className="card notice-card">
        <p className="notice-code">403</p>
        <h1>Admins only</h1>
        <p data-testid="forbidden-reason">{text}</p>
        <p>
          <Link href="/">Back to chat</Link>
        </p>
      </div>
    </main>
  );
}
