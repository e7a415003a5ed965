import { formatDateTime } from "@/lib/client/format";
import { actionWords, decisionState, keyNumbers, ruleWords, type DecisionView } from "@/lib/client/route-events";
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

function Reasons({ d }: { d: DecisionView }) {
  return (
    <>
      {d.reasons.length ? (
        <ul className="reasons">
          {d.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      <KeyNumbers numbers={d.numbers} />
    </>
  );
}

export function LastDecision({ route }: { route: RouteView }) {
  const state = decisionState(route);
  return (
    <section className="card" aria-labelledby="decision-title" data-testid="last-decision" data-state={state.kind}>
      <h2 id="decision-title">Last decision</h2>
      {state.kind === "ended" ? (
        <>
          <p className="decision-head">
            <span className={`badge badge-action-${state.status === "promoted" ? "promote" : "rollback"}`}>{state.status === "promoted" ? "Promoted" : "Rolled back"}</span>{" "}
            <strong>{state.title}</strong>
            {state.event ? (
              <time className="muted" dateTime={state.event.createdAt}>
                {" "}
                · {formatDateTime(state.event.createdAt)}
              </time>
            ) : null}
          </p>
          <p>{state.detail}</p>
          {state.decision ? (
            <>
              <p className="muted small">{ruleWords(state.decision.rule)}</p>
              <Reasons d={state.decision} />
            </>
          ) : null}
        </>
      ) : state.kind === "not_judged" ? (
        <p className="muted">
          This stage started {formatDateTime(state.since)}. The evaluator has not judged it yet; it looks every {route.evalIntervalSeconds} s while the route
          is running.
        </p>
      ) : (
        <>
          <p className="decision-head">
            <span className={`badge badge-action-${state.decision.action}`}>{actionWords(state.decision.action)}</span> <strong>{ruleWords(state.decision.rule)}</strong>
            {state.decision.at !== null ? (
              <time className="muted" dateTime={new Date(state.decision.at).toISOString()}>
                {" "}
                · {formatDateTime(state.decision.at)}
              </time>
            ) : null}
          </p>
          <Reasons d={state.decision} />
        </>
      )}
    </section>
  );
}
