import { formatPercent } from "@/lib/client/format";
import type { RouteView } from "@/lib/client/routes";

/** "95 % / 5 %", or "100 %" when there is no candidate. */
export function splitText(route: Pick<RouteView, "candidate" | "candidateWeight">): string {
  return route.candidate ? `${formatPercent(100 - route.candidateWeight)} / ${formatPercent(route.candidateWeight)}` : "100 %";
}

/** "2 of 4", or a dash once the candidate is gone (promoted). */
export function stageText(route: Pick<RouteView, "candidate" | "stages" | "stageIndex">): string {
  return route.candidate ? `${route.stageIndex + 1} of ${route.stages.length}` : "—";
}

export function SplitBar({ route }: { route: RouteView }) {
  const w = route.candidate ? route.candidateWeight : 0;
  return (
    <div className="split" data-testid="split-bar">
      <div className="split-bar" role="img" aria-label={`Split: ${formatPercent(100 - w)} control, ${formatPercent(w)} candidate`}>
        <div className="split-control" style={{ width: `${100 - w}%` }} />
        <div className="split-candidate" style={{ width: `${w}%` }} />
      </div>
      <div className="split-legend">
        <span>
          <i className="swatch swatch-control" /> control <strong>{route.control}</strong>{" "}
          <span data-testid="split-control">{formatPercent(100 - w)}</span>
        </span>
        {route.candidate ? (
          <span>
            <i className="swatch swatch-candidate" /> candidate <strong>{route.candidate}</strong>{" "}
            <span data-testid="split-candidate">{formatPercent(w)}</span>
          </span>
        ) : null}
      </div>
    </div>
  );
}

export function StageProgress({ route }: { route: RouteView }) {
  if (!route.candidate) {
    return <p className="muted">No candidate: all traffic goes to {route.control}.</p>;
  }
  return (
    <div className="stages">
      <p className="stages-label" data-testid="stage-progress">
        {route.status === "rolled_back" ? "Stopped at stage" : "Stage"} {stageText(route)}
      </p>
      <ol className="stage-steps" aria-label="Stage plan">
        {route.stages.map((s, i) => (
          <li
            key={`${i}-${s}`}
            className={i < route.stageIndex ? "done" : i === route.stageIndex ? "current" : undefined}
            aria-current={i === route.stageIndex ? "step" : undefined}
          >
            {formatPercent(s)}
          </li>
        ))}
      </ol>
    </div>
  );
}
