/**
 * Light or dark: the system's setting unless the person chose otherwise with the toggle. The
 * choice is kept in localStorage only while it differs from the system, so toggling back to what
 * the system says means "follow the system" again.
 */
export type Theme = "light" | "dark";

export const THEME_KEY = "switchyard-theme";

/**
 * Runs inline in <head>, before the stylesheet is applied to anything, so a dark page never
 * flashes light. Kept tiny and self-contained: it is sent as text, not bundled.
 */
export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem("${THEME_KEY}");if(t!=="light"&&t!=="dark")t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light";document.documentElement.setAttribute("data-theme",t)}catch(e){}})()`;

export function systemTheme(): Theme {
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function storedTheme(): Theme | null {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === "light" || t === "dark" ? t : null;
  } catch {
    return null; // storage blocked: follow the system
  }
}

export function currentTheme(): Theme {
  return document.documentElement.getAttribute("data-theme") === "dark" ? "dark" : "light";
}

const listeners = new Set<() => void>();

function apply(theme: Theme): void {
  document.documentElement.setAttribute("data-theme", theme);
  for (const l of listeners) l();
}

export function setTheme(theme: Theme): void {
  try {
    if (theme === systemTheme()) localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  apply(theme);
}

/** For useSyncExternalStore: follows the toggle, the system setting and other tabs. */
export function subscribeTheme(onChange: () => void): () => void {
  listeners.add(onChange);
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => apply(storedTheme() ?? systemTheme());
  const onStorage = (e: StorageEvent) => {
    if (e.key === THEME_KEY || e.key === null) follow();
  };
  // When React renders the document afresh (the 403 page does), <html> loses the attribute the
  // head script set: put it back.
  const restore = new MutationObserver(() => {
    if (!document.documentElement.hasAttribute("data-theme")) follow();
  });
  restore.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  if (!document.documentElement.hasAttribute("data-theme")) follow();
  media.addEventListener("change", follow);
  window.addEventListener("storage", onStorage);
  return () => {
    restore.disconnect();
    listeners.delete(onChange);
    media.removeEventListener("change", follow);
    window.removeEventListener("storage", onStorage);
  };
}
