import Link from "next/link";

export default function Home() {
  return (
    <main className="page page-narrow">
      <h1>Switchyard</h1>
      <p>
        An OpenAI-compatible gateway for your team. Point any OpenAI client at <code>/v1</code> with a team API key.
      </p>
      <h2>Settings</h2>
      <ul className="plain-list">
        <li>
          <Link href="/settings/routes">Routes</Link> — traffic splits between a control and a candidate model, with
          guardrails that roll a bad candidate back on their own.
        </li>
      </ul>
    </main>
  );
}
