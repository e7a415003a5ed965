import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { needsSetup, setupTokenRequired } from "@/lib/server/pages";
import { SetupForm } from "./setup-form";

// Whether setup is still open is a database question, asked on every request.
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  const askToken = await setupTokenRequired(await headers());
  if (!(await needsSetup())) redirect("/sign-in");
  return (
    <main className="page page-narrow">
      <title>Set up · Switchyard</title>
      <SetupForm askToken={askToken} />
    </main>
  );
}
