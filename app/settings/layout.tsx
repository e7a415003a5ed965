import type { ReactNode } from "react";
import { requireAdmin } from "../_components/page-session";
import { SettingsNav } from "../_components/settings-nav";

// A layout does not know which settings page was asked for, so sign-in comes back to the settings home.
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requireAdmin("/settings");
  return (
    <>
      <SettingsNav />
      {children}
    </>
  );
}
