import { formatUsd, shareOfCap } from "@/lib/client/settings/money";

/**
 * Spend against a cap: the settled part, the part reserved by requests in flight, and a tick at the
 * alert threshold. Amber from the threshold, red at the cap.
 */
export function SpendBar(props: {
  label: string;
  spent: number;
  cap: number | null;
  reserved?: number;
  thresholdPct: number;
  testId?: string;
  /** In a table whose column header already names the period. */
  compact?: boolean;
}) {
  const share = shareOfCap(props.spent, props.cap);
  const level = share === null ? "none" : share >= 100 ? "over" : share >= props.thresholdPct ? "warn" : "ok";
  const pct = (usd: number) => (props.cap ? Math.min(100, (usd / props.cap) * 100) : props.cap === 0 ? 100 : 0);
  const shareText = share === null || !Number.isFinite(share) ? "" : ` (${share > 0 && share < 0.1 ? "<0.1" : share < 10 ? Number(share.toFixed(1)) : Math.round(share)} %)`;
  return (
    <div className={`spend spend-${level}${props.compact ? " spend-compact" : ""}`} data-testid={props.testId}>
      <div className="spend-label">
        <span className={props.compact ? "visually-hidden" : undefined}>{props.label}</span>
        <span className="spend-numbers">
          {formatUsd(props.spent)}
          {props.cap === null ? <span className="muted"> · no cap</span> : <span className="muted"> of {formatUsd(props.cap)}{shareText}</span>}
        </span>
      </div>
      {props.cap !== null ? (
        <div
          className="spend-track"
          role="meter"
          aria-label={`${props.label} spend`}
          aria-valuemin={0}
          aria-valuemax={props.cap}
          aria-valuenow={Math.min(props.spent, props.cap)}
          aria-valuetext={`${formatUsd(props.spent)} of ${formatUsd(props.cap)}`}
        >
          <div className="spend-fill" style={{ width: `${pct(props.spent)}%` }} />
          {props.reserved ? <div className="spend-reserved" style={{ left: `${pct(props.spent)}%`, width: `${Math.max(0, Math.min(100 - pct(props.spent), pct(props.reserved)))}%` }} /> : null}
          <div className="spend-threshold" style={{ left: `${props.thresholdPct}%` }} title={`Alert at ${props.thresholdPct} %`} />
        </div>
      ) : null}
    </div>
  );
}
