import { redirect } from "next/navigation";

/** /settings opens its first section, Providers, as the sub-navigation lists them. */
export default function SettingsIndex() {
  redirect("/settings/providers");
}
