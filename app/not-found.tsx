import Link from "next/link";

export default function NotFound() {
  return (
    <main className="page page-narrow" data-testid="not-found">
      <title>Not found · Switchyard</title>
      <div className="card notice-card">
        <p className="notice-code">404</p>
        <h1>Nothing here</h1>
        <p>This page does not exist, or it belongs to someone else. A deleted conversation ends up here too.</p>
        <p>
          <Link href="/">Back to chat</Link>
        </p>
      </div>
    </main>
  );
}
