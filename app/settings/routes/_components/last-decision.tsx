import { formatDateTime } from "@/lib/client/format";
import { actionWords, keyNumbers, ruleWords, toDecision } from "@/lib/client/route-events";
import type { RouteView } from "@/lib/client/routes";

export function KeyNumbers({ numbers }: { numbers: Record<string, number | null> }) {
  const rows = keyNumbers(numbers);
  if (!rows.length) return null;
  return (
    <dl className="numbers">
      {rows.map((r) => (
        <div key={r.label}>
          <dt>{r.label}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function LastDecision({ route }: { route: RouteView }) {
  const d = toDecision(route.lastDecision);
  return (
    <section className="card" aria-labelledby="decision-title" data-testid="last-decision">
      <h2 id="decision-title">Last decision</h2>
      {!d ? (
        <p className="muted">
          The evaluator has not judged this split yet. It looks at it every {route.evalIntervalSeconds} s while the route is
          running.
        </p>
      ) : (
        <>
          <p className="decision-head">
            <span className={`badge badge-action-${d.action}`}>{actionWords(d.action)}</span> <strong>{ruleWords(d.rule)}</strong>
            {d.at !== null ? (
              <time className="muted" dateTime={new Date(d.at).toISOString()}>
                · {formatDateTime(d.at)}
              </time>
            ) : null}
          </p>
          {d.reasons.length ? (
            <ul className="reasons">
              {d.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
          <KeyNumbers numbers={d.numbers} />
        </>
      )}
    </section>
  );
}
