"use client";
import { usePathname } from "next/navigation";
import { useMemo } from "react";
import { parseChatError, type ChatErrorView } from "@/lib/client/chat-errors";
import { formatDuration } from "@/lib/client/format";
import { useCountdown } from "./use-countdown";

function formatResetTime(at: number): string {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return sameDay ? time : `${time} on ${date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" })}`;
}

/** A failed reply, in words, right where it failed; with a live countdown when waiting helps. */
export function ChatErrorNotice({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const pathname = usePathname();
  const view = useMemo(() => parseChatError(error), [error]);
  const remaining = useCountdown(view.kind === "rate_limited" ? view.resetAt : null);
  const { title, body, detail, retry } = describe(view, remaining);

  return (
    <div className={`chat-error chat-error-${view.kind}`} role="alert" data-testid="chat-error" data-kind={view.kind}>
      <p className="chat-error-title">{title}</p>
      <p className="chat-error-body" data-testid="chat-error-body">
        {body}
      </p>
      {detail ? <p className="chat-error-detail">{detail}</p> : null}
      {view.kind === "signed_out" ? (
        <a className="button" href={`/sign-in?next=${encodeURIComponent(pathname)}`}>
          Sign in again
        </a>
      ) : retry && onRetry ? (
        <button type="button" className="button" onClick={onRetry} disabled={retry === "wait"} data-testid="retry">
          Try again
        </button>
      ) : null}
    </div>
  );
}

function describe(view: ChatErrorView, remaining: number | null): { title: string; body: string; detail?: string; retry?: "now" | "wait" } {
  switch (view.kind) {
    case "rate_limited":
      return {
        title: "Rate limited",
        body:
          remaining === null
            ? "Too many requests for your team right now. Wait a moment and try again."
            : remaining > 0
              ? `Too many requests for your team right now. You can try again in ${remaining < 120 ? `${remaining} s` : formatDuration(remaining * 1000)}.`
              : "The rate limit has reset; you can try again now.",
        detail: view.message,
        retry: remaining !== null && remaining > 0 ? "wait" : "now",
      };
    case "budget_exceeded":
      return {
        title: "Budget used up",
        body:
          view.resetAt !== null
            ? `Your team's ${view.period} budget is used up; it resets at ${formatResetTime(view.resetAt)}.`
            : `Your team's ${view.period} budget is used up.`,
        detail: "An admin can raise the budget in the team's settings.",
      };
    case "upstream_down":
      return {
        title: "The model is not answering",
        body: "The model's provider failed and no fallback could take over. Try again in a moment, or pick another model.",
        detail: view.message,
        retry: "now",
      };
    case "rejected":
      return { title: "The request was refused", body: view.message || "The gateway refused this request." };
    case "signed_out":
      return { title: "Signed out", body: "Your session has ended. Sign in again to keep chatting." };
    default:
      return { title: "The reply failed", body: view.message || "Something went wrong. Try again.", retry: "now" };
  }
}
