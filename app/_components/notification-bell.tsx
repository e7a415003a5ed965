"use client";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { formatDateTime } from "@/lib/client/format";
import { useMarkNotificationsRead, useNotifications } from "@/lib/client/notifications";
import "./notification-bell.css";

/** Budget alerts, breakers opening and rollbacks, for admins: a count of what is unread and the list. */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const list = useNotifications();
  const mark = useMarkNotificationsRead();
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const unread = list.data?.unread ?? 0;
  const newest = list.data?.data[0]?.id ?? 0;

  // Closes on Escape or a click elsewhere, as a menu does.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    const onClick = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  return (
    <div className="bell" ref={root}>
      <button
        type="button"
        className="bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread ? `Notifications, ${unread} unread` : "Notifications"}
        data-testid="notification-bell"
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {unread > 0 ? (
          <span className="bell-count" data-testid="notification-count">
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="bell-panel" id={panelId} role="region" aria-label="Notifications" data-testid="notification-panel">
          <div className="bell-head">
            <strong>Notifications</strong>
            <button type="button" className="button bell-mark" disabled={unread === 0 || mark.isPending} onClick={() => mark.mutate(newest)}>
              Mark all read
            </button>
          </div>
          {mark.error ? (
            <p className="bell-error" role="alert">
              {errorMessage(mark.error)}
            </p>
          ) : null}
          {list.error ? (
            <p className="bell-error" role="alert">
              {errorMessage(list.error)}
            </p>
          ) : !list.data ? (
            <p className="muted bell-empty">Loading…</p>
          ) : list.data.data.length === 0 ? (
            <p className="muted bell-empty">Nothing yet. Budget alerts, circuit breakers opening and rollbacks show up here.</p>
          ) : (
            <ul className="bell-list">
              {list.data.data.map((n) => (
                <li key={n.id} className={n.unread ? "bell-item bell-unread" : "bell-item"} data-testid="notification" data-unread={n.unread || undefined}>
                  <Link href={n.href} onClick={() => setOpen(false)}>
                    <span className="bell-title">{n.title}</span>
                    <span className="bell-detail">{n.detail}</span>
                    <time className="bell-time" dateTime={n.createdAt}>
                      {formatDateTime(n.createdAt)}
                    </time>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
