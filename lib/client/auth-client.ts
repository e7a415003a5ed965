/** Sign-in and sign-out from the browser, against the auth endpoints under /api/auth. */
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({ basePath: "/api/auth" });

export interface AuthFailure {
  status: number;
  code?: string;
  message?: string;
  /** Seconds until sign-in is allowed again, when the server refused with 429. */
  retryAfter?: number;
}

/** A failed sign-in in words a person can act on. */
export function signInErrorText(error: AuthFailure): string {
  if (error.status === 401 || error.code === "INVALID_EMAIL_OR_PASSWORD") return "That email and password do not match an account.";
  if (error.status === 429) {
    return error.retryAfter ? `Too many sign-in attempts, try again in ${error.retryAfter} s.` : "Too many sign-in attempts. Wait a minute and try again.";
  }
  if (error.status === 0) return "Could not reach the server. Check your connection and try again.";
  if (error.status === 403) return "The server refused the sign-in from this page. Reload it and try again.";
  return error.message || `Sign-in failed (the server answered ${error.status}).`;
}

export async function signIn(email: string, password: string): Promise<AuthFailure | null> {
  try {
    const { error } = await authClient.signIn.email({ email, password });
    if (!error) return null;
    // The client library spreads the answer's JSON into the error; the server puts the wait there.
    const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
    return { status: error.status, code: error.code, message: error.message, retryAfter: typeof retryAfter === "number" && retryAfter > 0 ? retryAfter : undefined };
  } catch {
    return { status: 0 };
  }
}

/** Signs out and starts over on the sign-in page with a full load, so nothing of the session stays in memory. */
export async function signOutAndLeave(): Promise<void> {
  try {
    await authClient.signOut();
  } finally {
    window.location.assign("/sign-in");
  }
}
