import { formatDateTime, formatFraction } from "@/lib/client/format";
import type { BreakerState, ModelView } from "@/lib/client/settings/models";

const WORDS: Record<BreakerState, string> = { closed: "closed", "half-open": "half-open", open: "open" };

/** The circuit breaker of one upstream model: closed is healthy, open skips it, half-open probes it. */
export function BreakerBadge({ breaker }: { breaker: ModelView["breaker"] }) {
  const state = (breaker.state in WORDS ? breaker.state : "closed") as BreakerState;
  const detail = [
    `${formatFraction(breaker.failureRate)} failures over the last ${breaker.requests} request(s)`,
    breaker.openedAt ? `opened ${formatDateTime(breaker.openedAt)}` : null,
    breaker.nextProbeAt ? `next probe ${formatDateTime(breaker.nextProbeAt)}` : null,
  ]
    .filter(Boolean)
    .join("; ");
  return (
    <span className={`badge badge-breaker-${state}`} title={detail} data-testid="breaker-badge">
      <i className="dot" aria-hidden="true" />
      {WORDS[state]}
    </span>
  );
}
