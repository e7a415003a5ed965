/**
 * The admin bearer token kept in sessionStorage, with a subscription so components re-render when
 * it changes. Temporary: signed-in user sessions with cookies will replace it.
 */
const KEY = "switchyard.adminToken";
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

export function getAdminToken(): string | null {
  if (typeof window === "undefined") return null;
  try {
    return window.sessionStorage.getItem(KEY);
  } catch {
    // Storage can be disabled by the browser; then nobody is signed in.
    return null;
  }
}

export function setAdminToken(token: string): void {
  window.sessionStorage.setItem(KEY, token);
  notify();
}

export function clearAdminToken(): void {
  try {
    window.sessionStorage.removeItem(KEY);
  } finally {
    notify();
  }
}

/** For useSyncExternalStore. */
export function subscribeAdminToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
