import type { ReactNode } from "react";
import { AdminGate } from "../_components/admin-gate";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return <AdminGate>{children}</AdminGate>;
}
