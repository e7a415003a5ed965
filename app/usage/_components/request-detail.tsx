"use client";
import { formatDateTime, formatMs } from "@/lib/client/format";
import { formatUsd } from "@/lib/client/settings/money";
import type { RequestLogEntry } from "@/lib/client/usage/request-log";
import { outcomeLabel } from "@/lib/usage/outcomes";

const yesNo = (b: boolean) => (b ? "yes" : "no");
const or = (v: string | number | null | undefined, fallback = "—") => (v === null || v === undefined || v === "" ? fallback : String(v));

/** Everything one usage row says about a request, grouped the way an operator reads it. */
export function RequestDetail({ entry, onClose }: { entry: RequestLogEntry; onClose: () => void }) {
  const e = entry;
  const sections: Array<[string, Array<[string, string]>]> = [
    [
      "Outcome",
      [
        ["Status", `${outcomeLabel(e.status)} (HTTP ${e.httpStatus})`],
        ["Error", or(e.errorType, "none")],
        ["Endpoint", e.endpoint],
        ["Streamed", yesNo(e.stream)],
        ["Cache", or(e.cache, "off")],
      ],
    ],
    [
      "Timings",
      [
        ["Queue (admission and budget)", formatMs(e.queueMs)],
        ["First byte from upstream", formatMs(e.firstByteMs)],
        ["Time to first token", formatMs(e.ttftMs)],
        ["Total", formatMs(e.latencyMs)],
      ],
    ],
    [
      "Routing",
      [
        ["Requested model", or(e.requestedModel)],
        ["Served model", or(e.servedModel)],
        ["Route", e.routeId ? or(e.routeName, e.routeId) : "—"],
        ["Variant", or(e.variant)],
        ["Attempts", String(e.attempts)],
        ["Fallback used", yesNo(e.fallbackUsed)],
        ["Provider", or(e.providerId)],
      ],
    ],
    [
      "Tokens and cost",
      [
        ["Prompt tokens", e.promptTokens.toLocaleString("en-US")],
        ["Completion tokens", e.completionTokens.toLocaleString("en-US")],
        ["Cost", formatUsd(e.costUsd)],
        ...(e.cache === "hit" ? ([["Saved by the cache", formatUsd(e.savedUsd)]] as Array<[string, string]>) : []),
      ],
    ],
    [
      "Caller",
      [
        ["Team", e.teamId ? or(e.teamName, e.teamId) : "—"],
        ["API key", e.keyId ? or(e.keyName, e.keyId) : "none (chat)"],
        ["User", e.userId ? or(e.userEmail, e.userId) : "—"],
        ["Sticky key", or(e.stickyKey)],
      ],
    ],
  ];
  return (
    <aside className="card request-detail" aria-label="Request detail" data-testid="request-detail">
      <div className="request-detail-head">
        <div>
          <h2>Request</h2>
          <p className="muted small">
            <code>{e.requestId}</code> · {formatDateTime(e.createdAt)}
          </p>
        </div>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
      {sections.map(([title, items]) => (
        <section key={title} className="request-detail-section">
          <h3>{title}</h3>
          <dl>
            {items.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd data-testid={`detail-${k.toLowerCase().replace(/[^a-z]+/g, "-")}`}>{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </aside>
  );
}
