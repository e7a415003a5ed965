import { Suspense } from "react";
import { UsageDashboard } from "./_components/usage-dashboard";

export default function UsagePage() {
  // The dashboard reads its filters from the URL, which needs a Suspense boundary.
  return (
    <>
      <title>Usage · Switchyard</title>
      <Suspense fallback={<main className="page page-wide"><p className="muted">Loading usage…</p></main>}>
        <UsageDashboard />
      </Suspense>
    </>
  );
}
