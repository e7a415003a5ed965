"use client";
import { isToolUIPart, type UIMessagePart, type UIDataTypes, type UITools } from "ai";
import type { ChatMessage } from "@/lib/client/chat";
import { replyMetaLine } from "@/lib/client/reply-meta";
import { Markdown } from "./markdown";
import { PartCard, ToolCard } from "./tool-card";

type Part = UIMessagePart<UIDataTypes, UITools>;

export function messageText(message: ChatMessage): string {
  return message.parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** Parts that show something; step boundaries and text not yet streamed do not. */
export const visibleParts = (message: ChatMessage) => message.parts.filter((p) => p.type !== "step-start" && !(p.type === "text" && p.text === ""));

export function MessageView(props: { message: ChatMessage; streaming?: boolean; stopped?: boolean; showLatency?: boolean }) {
  const { message, streaming = false } = props;

  if (message.role === "user") {
    return (
      <div className="msg msg-user" data-testid="message" data-role="user">
        <div className="msg-bubble">{messageText(message)}</div>
      </div>
    );
  }

  const parts = visibleParts(message);
  if (parts.length === 0 && !streaming) return null;
  const meta = replyMetaLine(message.metadata, { latency: props.showLatency });
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
      {props.stopped ? (
        <p className="msg-meta msg-stopped" data-testid="reply-stopped">
          Stopped before the end
        </p>
      ) : meta && !streaming ? (
        <p className="msg-meta" data-testid="reply-meta">
          {meta}
        </p>
      ) : null}
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
