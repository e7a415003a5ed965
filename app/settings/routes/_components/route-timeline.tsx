import { formatDateTime } from "@/lib/client/format";
import { describeEvent, ruleWords } from "@/lib/client/route-events";
import type { RouteEvent } from "@/lib/client/routes";
import { KeyNumbers } from "./last-decision";

export function RouteTimeline({ events }: { events: RouteEvent[] }) {
  const newestFirst = [...events].sort((a, b) => b.id - a.id);
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">History</h2>
      {!newestFirst.length ? (
        <p className="muted">Nothing has happened to this route yet.</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {newestFirst.map((e) => {
            const d = describeEvent(e);
            return (
              <li key={e.id} className={`timeline-item type-${e.type.replace(/\W/g, "-")}`} data-testid="timeline-event" data-type={e.type} data-actor={e.actor}>
                <div className="timeline-head">
                  <strong className="timeline-title">{d.title}</strong>
                  <time dateTime={e.createdAt} className="muted">
                    {formatDateTime(e.createdAt)}
                  </time>
                </div>
                {d.detail ? <p className="timeline-detail">{d.detail}</p> : null}
                {d.decision ? (
                  <div className="timeline-decision">
                    <p className="muted small">{ruleWords(d.decision.rule)}</p>
                    {d.decision.reasons.length ? (
                      <ul className="reasons">
                        {d.decision.reasons.map((r) => (
                          <li key={r}>{r}</li>
                        ))}
                      </ul>
                    ) : null}
                    <KeyNumbers numbers={d.decision.numbers} />
                  </div>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
