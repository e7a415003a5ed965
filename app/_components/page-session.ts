/** Server-side guards for pages: who is looking, and where to send them when they may not look. */
import { headers } from "next/headers";
import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { viewerOf, type Viewer } from "@/lib/server/pages";

export function signInHref(next: string): string {
  return next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
}

/** Once per request, however many components ask (the top bar and the page both do). */
export const currentViewer = cache(async (): Promise<Viewer | null> => {
  // headers() first: it marks the page dynamic before anything touches the database.
  return viewerOf(await headers());
});

/** The signed-in person, or a redirect to the sign-in page that comes back to `path`. */
export async function requireSignedIn(path: string): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect(signInHref(path));
  return viewer;
}

/** An admin; members get the 403 page, anonymous visitors the sign-in page. */
export async function requireAdmin(path: string): Promise<Viewer> {
  const viewer = await requireSignedIn(path);
  if (viewer.role !== "admin") forbidden();
  return viewer;
}
