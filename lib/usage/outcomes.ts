/** What happened to a request, as the usage row's status records it; safe to import in the browser. */
export const OUTCOMES = ["ok", "error", "budget_exceeded", "rate_limited", "rejected", "aborted"] as const;

export type Outcome = (typeof OUTCOMES)[number];

export const OUTCOME_LABELS: Record<Outcome, string> = {
  ok: "OK",
  error: "Upstream error",
  budget_exceeded: "Budget refusal",
  rate_limited: "Rate limited",
  rejected: "Rejected",
  aborted: "Aborted by client",
};

export const OUTCOME_HINTS: Record<Outcome, string> = {
  ok: "Answered",
  error: "The upstream failed, timed out or cut the stream",
  budget_exceeded: "Refused: the team's daily or monthly budget was used up",
  rate_limited: "Refused by a rate limit (team, key, model or global)",
  rejected: "Refused before any upstream call: bad key, unknown model, invalid body",
  aborted: "The client went away before the answer ended",
};

export const outcomeLabel = (status: string): string => OUTCOME_LABELS[status as Outcome] ?? status;
