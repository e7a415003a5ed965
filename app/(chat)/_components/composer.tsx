"use client";
import { useState, type KeyboardEvent, type ReactNode } from "react";

/** The message box: Enter sends, Shift+Enter starts a new line; Stop replaces Send while a reply streams. */
export function Composer(props: {
  /** A returned promise that rejects puts the text back, so nothing typed is lost. */
  onSend: (text: string) => void | Promise<unknown>;
  onStop?: () => void;
  busy: boolean;
  /** Blocks sending, not typing: e.g. while the models load. */
  disabled?: boolean;
  /** Why sending is blocked, shown beside Send (e.g. a model the team may not use). */
  disabledReason?: string;
  placeholder?: string;
  sendLabel?: string;
  autoFocus?: boolean;
  /** More buttons beside Send. */
  actions?: ReactNode;
}) {
  const [text, setText] = useState("");
  const canSend = text.trim().length > 0 && !props.busy && !props.disabled;

  const send = () => {
    if (!canSend) return;
    const sent = text;
    const result = props.onSend(sent.trim());
    setText("");
    if (result) result.catch(() => setText(sent));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        aria-label="Message"
        data-testid="composer-input"
        placeholder={props.placeholder ?? "Send a message"}
        rows={Math.min(8, Math.max(2, text.split("\n").length))}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        autoFocus={props.autoFocus}
      />
      <div className="composer-actions">
        {props.disabledReason ? (
          <span className="composer-blocked" id="composer-blocked" role="status" data-testid="composer-blocked">
            {props.disabledReason}
          </span>
        ) : (
          <span className="composer-hint">Enter sends · Shift+Enter for a new line</span>
        )}
        {props.actions}
        {props.busy && props.onStop ? (
          <button type="button" className="button" onClick={props.onStop} data-testid="stop">
            Stop
          </button>
        ) : (
          <button
            type="submit"
            className="button button-primary"
            disabled={!canSend}
            aria-describedby={props.disabledReason ? "composer-blocked" : undefined}
            data-testid="send"
          >
            {props.sendLabel ?? "Send"}
          </button>
        )}
      </div>
    </form>
  );
}
