import type { ReactNode } from "react";
import { requireAdmin } from "../_components/page-session";
import "./usage.css";

/** Usage covers every team's spend, so it is for admins, checked on the server like settings. */
export default async function UsageLayout({ children }: { children: ReactNode }) {
  await requireAdmin("/usage");
  return children;
}
