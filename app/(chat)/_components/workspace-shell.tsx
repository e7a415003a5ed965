"use client";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * The workspace's two columns. Below the CSS breakpoint the conversation list leaves the grid and
 * slides in over the chat from a button at the top left; opening a conversation closes it again.
 */
export function WorkspaceShell({ sidebar, children }: { sidebar: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  const drawerRef = useRef<HTMLDivElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);

  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    drawerRef.current?.querySelector<HTMLElement>("a, button")?.focus();
    const onKey = (e: KeyboardEvent) => {
      // A dialog (delete a conversation) handles its own Escape.
      if (e.key !== "Escape" || document.querySelector("dialog[open]")) return;
      setOpen(false);
      toggleRef.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);

  return (
    <div className="workspace" data-drawer={open ? "open" : "closed"}>
      <div ref={drawerRef} id="conversation-drawer" className="workspace-drawer">
        {sidebar}
      </div>
      {open ? <div className="drawer-backdrop" aria-hidden="true" onClick={() => setOpen(false)} /> : null}
      <main className="workspace-main">
        <button
          ref={toggleRef}
          type="button"
          className="drawer-toggle"
          aria-expanded={open}
          aria-controls="conversation-drawer"
          aria-label="Conversations"
          title="Conversations"
          data-testid="drawer-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          <span aria-hidden="true" className="menu-icon" />
        </button>
        {children}
      </main>
    </div>
  );
}
