import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/server/pages";
import { SetupForm } from "./setup-form";

// Whether setup is still open is a database question, asked on every request.
export const dynamic = "force-dynamic";

export default function SetupPage() {
  if (!needsSetup()) redirect("/sign-in");
  return (
    <main className="page page-narrow">
      <title>Set up · Switchyard</title>
      <SetupForm />
    </main>
  );
}
