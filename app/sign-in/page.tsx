import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/server/pages";
import { safeNext } from "@/lib/server/safe-next";
import { currentViewer } from "../_components/page-session";
import { SignInForm } from "./sign-in-form";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNext((await searchParams).next);
  if (await currentViewer()) redirect(next);
  if (await needsSetup()) redirect("/setup");
  return (
    <main className="page page-narrow">
      <title>Sign in · Switchyard</title>
      <SignInForm next={next} />
    </main>
  );
}
