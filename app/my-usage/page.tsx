import { Suspense } from "react";
import { requireSignedIn } from "../_components/page-session";
import { MyUsage } from "../usage/_components/my-usage";
import "../usage/usage.css";

export const metadata = { title: "My usage · Switchyard" };

export default async function MyUsagePage() {
  await requireSignedIn("/my-usage");
  return (
    <Suspense fallback={<main className="page page-wide"><p className="muted">Loading your usage…</p></main>}>
      <MyUsage />
    </Suspense>
  );
}
