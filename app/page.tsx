export default function Home() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "4rem auto", padding: "0 1rem" }}>
      <h1>Switchyard</h1>
      <p>An OpenAI-compatible gateway for your team. Point any OpenAI client at <code>/v1</code> with a team API key.</p>
    </main>
  );
}
