"use client";
import { isToolUIPart, type UIMessagePart, type UIDataTypes, type UITools } from "ai";
import { useState, type KeyboardEvent } from "react";
import type { ChatMessage } from "@/lib/client/chat";
import { replyMetaLine } from "@/lib/client/reply-meta";
import { CopyButton } from "../../_components/copy-button";
import { Markdown } from "./markdown";
import { PartCard, ToolCard } from "./tool-card";

type Part = UIMessagePart<UIDataTypes, UITools>;

export function messageText(message: ChatMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** Parts that show something; step boundaries and text not yet streamed do not. */
export const visibleParts = (message: ChatMessage) => message.parts.filter((p) => p.type !== "step-start" && !(p.type === "text" && p.text === ""));

export function MessageView(props: {
  message: ChatMessage;
  streaming?: boolean;
  stopped?: boolean;
  showLatency?: boolean;
  /** Sends the edited text in place of this user message; absent, the message cannot be edited. */
  onEdit?: (text: string) => void;
  /** Editing is offered but not possible now (a reply is streaming). */
  editDisabled?: boolean;
}) {
  const { message, streaming = false } = props;

  if (message.role === "user") return <UserMessage message={message} onEdit={props.onEdit} editDisabled={props.editDisabled} />;

  const parts = visibleParts(message);
  if (parts.length === 0 && !streaming) return null;
  const meta = replyMetaLine(message.metadata, { latency: props.showLatency });
  const text = messageText(message);
  return (
    <div className="msg msg-assistant" data-testid="message" data-role="assistant" data-streaming={streaming ? "true" : undefined}>
      <div className="msg-content" data-testid="message-content">
        {parts.length === 0 ? (
          <span className="typing" aria-label="Waiting for the reply">
            <span />
            <span />
            <span />
          </span>
        ) : (
          parts.map((part, i) => <PartView key={i} part={part} />)
        )}
      </div>
      <div className="msg-foot">
        {props.stopped ? (
          <p className="msg-meta msg-stopped" data-testid="reply-stopped">
            Stopped before the end
          </p>
        ) : meta && !streaming ? (
          <p className="msg-meta" data-testid="reply-meta">
            {meta}
          </p>
        ) : null}
        {!streaming && text ? (
          <span className="msg-actions">
            <CopyButton text={text} label="Copy reply" testId="copy-message" />
          </span>
        ) : null}
      </div>
    </div>
  );
}

/** A sent message, copied as typed; edited in place, it is sent again and the replies after it go. */
function UserMessage({ message, onEdit, editDisabled }: { message: ChatMessage; onEdit?: (text: string) => void; editDisabled?: boolean }) {
  const text = messageText(message);
  const [draft, setDraft] = useState<string | null>(null);
  const editing = draft !== null;
  const canSend = editing && draft.trim().length > 0 && !editDisabled;

  const send = () => {
    if (!canSend || !onEdit) return;
    onEdit(draft.trim());
    setDraft(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === "Escape") {
      e.preventDefault();
      setDraft(null);
    }
  };

  if (editing) {
    return (
      <div className="msg msg-user msg-editing" data-testid="message" data-role="user" data-editing="true">
        <form
          className="msg-edit"
          aria-label="Edit message"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <textarea
            aria-label="Edited message"
            data-testid="edit-input"
            value={draft}
            rows={Math.min(10, Math.max(2, draft.split("\n").length))}
            autoFocus
            onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <p className="msg-edit-note">The replies after this message are replaced by a new one.</p>
          <div className="msg-edit-actions">
            <button type="button" className="button" onClick={() => setDraft(null)} data-testid="edit-cancel">
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!canSend} data-testid="edit-send">
              Send
            </button>
          </div>
        </form>
      </div>
    );
  }

  return (
    <div className="msg msg-user" data-testid="message" data-role="user">
      <div className="msg-bubble">{text}</div>
      <span className="msg-actions">
        <CopyButton text={text} label="Copy message" testId="copy-message" />
        {onEdit ? (
          <button type="button" className="action-button" onClick={() => setDraft(text)} disabled={editDisabled} aria-label="Edit message" title="Edit and send again" data-testid="edit-message">
            Edit
          </button>
        ) : null}
      </span>
    </div>
  );
}

function PartView({ part }: { part: Part }) {
  if (part.type === "text") return <Markdown text={part.text} />;
  if (part.type === "reasoning") {
    return (
      <details className="reasoning">
        <summary>Reasoning</summary>
        <Markdown text={part.text} />
      </details>
    );
  }
  if (isToolUIPart(part)) return <ToolCard part={part} />;
  if (part.type === "source-url") {
    return (
      <p className="source">
        Source:{" "}
        <a href={part.url} target="_blank" rel="noreferrer noopener">
          {part.title ?? part.url}
        </a>
      </p>
    );
  }
  if (part.type === "file" && part.mediaType.startsWith("image/")) {
    return <img className="msg-image" src={part.url} alt={part.filename ?? "Image from the reply"} />;
  }
  if (part.type === "file") {
    return (
      <p className="source">
        File:{" "}
        <a href={part.url} target="_blank" rel="noreferrer noopener">
          {part.filename ?? part.mediaType}
        </a>
      </p>
    );
  }
  const { type, ...rest } = part;
  return <PartCard label={type} value={rest} />;
}
