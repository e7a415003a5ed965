import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="page page-narrow" data-testid="forbidden">
      <title>Admins only · Switchyard</title>
      <div className="card notice-card">
        <p className="notice-code">403</p>
        <h1>Admins only</h1>
        <p>
          Settings change how the gateway behaves for everyone, so only admins of this Switchyard can open them. If you need
          access, ask an admin to make you one.
        </p>
        <p>
          <Link href="/">Back to chat</Link>
        </p>
      </div>
    </main>
  );
}
