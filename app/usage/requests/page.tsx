import { Suspense } from "react";
import { RequestLogPage } from "../_components/request-log-page";

export const metadata = { title: "Requests · Usage · Switchyard" };

export default function UsageRequestsPage() {
  // The log reads its filters from the URL, which needs a Suspense boundary.
  return (
    <Suspense fallback={<main className="page page-wide"><p className="muted">Loading requests…</p></main>}>
      <RequestLogPage />
    </Suspense>
  );
}
