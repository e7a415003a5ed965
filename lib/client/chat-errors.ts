/**
 * A failed chat reply in words. The chat stream reports errors as a JSON string
 * {kind, code, message, status, retryAfterSeconds, resetAt}; a request refused before streaming
 * (signed out, not in a team, conversation gone) answers with the OpenAI error shape instead.
 */

export type ChatErrorKind = "rate_limited" | "budget_exceeded" | "upstream_down" | "rejected" | "signed_out" | "error";

export interface ChatErrorView {
  kind: ChatErrorKind;
  /** The server's own words, shown as detail. */
  message: string;
  status: number | null;
  retryAfterSeconds: number | null;
  /** When a rate limit or budget frees up again, as epoch milliseconds. */
  resetAt: number | null;
  period: "daily" | "monthly";
}

const KINDS = new Set<ChatErrorKind>(["rate_limited", "budget_exceeded", "upstream_down", "rejected", "error"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function parseChatError(error: Error, now = Date.now()): ChatErrorView {
  const status = num((error as { statusCode?: unknown }).statusCode);
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(error.message);
  } catch {
    // not JSON: a network failure or a plain text body
  }

  if (isRecord(parsed) && typeof parsed.kind === "string") {
    const kind = KINDS.has(parsed.kind as ChatErrorKind) ? (parsed.kind as ChatErrorKind) : "error";
    const message = typeof parsed.message === "string" ? parsed.message : "";
    const retryAfterSeconds = num(parsed.retryAfterSeconds);
    const resetAt = typeof parsed.resetAt === "string" && !Number.isNaN(Date.parse(parsed.resetAt)) ? Date.parse(parsed.resetAt) : retryAfterSeconds !== null ? now + retryAfterSeconds * 1000 : null;
    return { kind, message, status: num(parsed.status), retryAfterSeconds, resetAt, period: /monthly/i.test(message) ? "monthly" : "daily" };
  }

  const body = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : null;
  const message = typeof body?.message === "string" ? body.message : error.message;
  const code = typeof body?.code === "string" ? body.code : null;
  if (status === 401 || code === "unauthorized") return base("signed_out", message, status);
  if (status === 429) return base("rate_limited", message, status);
  if (status !== null && status >= 500) return base("upstream_down", message, status);
  if (status !== null && status >= 400) return base("rejected", message, status);
  if (/failed to fetch|network|load failed/i.test(error.message)) return base("error", "Could not reach the server. Check your connection and try again.", null);
  return base("error", message, status);
}

function base(kind: ChatErrorKind, message: string, status: number | null): ChatErrorView {
  return { kind, message, status, retryAfterSeconds: null, resetAt: null, period: "daily" };
}
