"use client";
import { useSyncExternalStore } from "react";
import { currentTheme, setTheme, subscribeTheme } from "@/lib/client/theme";

/** Dark theme on or off. Both icons are drawn and CSS shows the one for the theme in force, so nothing flickers. */
export function ThemeToggle() {
  // The server cannot know the theme; until hydration the pressed state reads as light.
  const theme = useSyncExternalStore(subscribeTheme, currentTheme, () => "light" as const);
  return (
    <button
      type="button"
      className="topnav-icon-button theme-toggle"
      aria-pressed={theme === "dark"}
      aria-label="Dark theme"
      title="Dark theme"
      data-testid="theme-toggle"
      onClick={() => setTheme(currentTheme() === "dark" ? "light" : "dark")}
    >
      <svg className="theme-icon theme-icon-moon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5Z" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
      </svg>
      <svg className="theme-icon theme-icon-sun" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <circle cx="12" cy="12" r="4" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
      </svg>
    </button>
  );
}
