"use client";
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, generateId } from "ai";
import { useMemo, useRef, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { comparePair, useConversations, useMyModels, type ChatMessage, type ModelOption } from "@/lib/client/chat";
import { PendingReply } from "../_components/chat-pane";
import { ChatErrorNotice } from "../_components/chat-error";
import { Composer } from "../_components/composer";
import { MessageView, visibleParts } from "../_components/message-view";
import { ModelPicker } from "../_components/model-picker";
import { useStickToBottom } from "../_components/use-stick-to-bottom";

// generateId, not crypto.randomUUID: the latter needs https outside localhost.
const newId = () => `compare_${generateId()}`;

/** A chat that stores nothing: its random id is only the sticky key for route splits. */
function useEphemeralChat(model: string | undefined) {
  const [id, setId] = useState(newId);
  const modelRef = useRef(model);
  modelRef.current = model;
  const transport = useMemo(
    () => new DefaultChatTransport<ChatMessage>({ api: "/api/chat", body: () => ({ model: modelRef.current, ephemeral: true }) }),
    [],
  );
  const [stopped, setStopped] = useState<ReadonlySet<string>>(() => new Set());
  const chat = useChat<ChatMessage>({
    id,
    transport,
    onFinish: ({ message, isAbort }) => {
      if (isAbort) setStopped((ids) => new Set(ids).add(message.id));
    },
  });
  return { ...chat, stopped, reset: () => setId(newId()) };
}

type Side = "left" | "right";

export function CompareView({ teamId }: { teamId: string }) {
  const models = useMyModels(teamId);
  const conversations = useConversations();
  const [picked, setPicked] = useState<Partial<Record<Side, string>>>({});
  // Wait for the history too, so the defaults do not change under the person's eyes.
  const defaults = models.data && !conversations.isPending ? comparePair(models.data, conversations.data) : [undefined, undefined];
  const leftModel = picked.left ?? defaults[0];
  const rightModel = picked.right ?? defaults[1];
  const left = useEphemeralChat(leftModel);
  const right = useEphemeralChat(rightModel);

  const busy = [left, right].some((c) => c.status === "submitted" || c.status === "streaming");
  const hasMessages = left.messages.length > 0 || right.messages.length > 0;

  const send = (text: string) => {
    // Both at once, not one after the other: the panes race.
    void left.sendMessage({ text });
    void right.sendMessage({ text });
  };

  return (
    <div className="compare" data-testid="compare">
      {models.error ? (
        <p className="form-error" role="alert">
          Could not load the models: {errorMessage(models.error)}
        </p>
      ) : null}
      <div className="compare-prompt card">
        <Composer
          onSend={send}
          onStop={() => {
            void left.stop();
            void right.stop();
          }}
          busy={busy}
          disabled={!leftModel || !rightModel}
          placeholder="One prompt for both models"
          sendLabel="Send to both"
          autoFocus
          actions={
            hasMessages && !busy ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  left.reset();
                  right.reset();
                }}
              >
                Start over
              </button>
            ) : null
          }
        />
      </div>
      <div className="compare-panes">
        <ComparePane side="left" chat={left} options={models.data} model={leftModel} onModel={(m) => setPicked((p) => ({ ...p, left: m }))} />
        <ComparePane side="right" chat={right} options={models.data} model={rightModel} onModel={(m) => setPicked((p) => ({ ...p, right: m }))} />
      </div>
    </div>
  );
}

function ComparePane(props: {
  side: Side;
  chat: ReturnType<typeof useEphemeralChat>;
  options: ModelOption[] | undefined;
  model: string | undefined;
  onModel: (model: string) => void;
}) {
  const { chat } = props;
  const busy = chat.status === "submitted" || chat.status === "streaming";
  const last = chat.messages.at(-1);
  const scrollRef = useStickToBottom<HTMLDivElement>(chat.messages);
  // Until the first token, the pane says whom it is waiting for instead of showing an empty reply.
  const waiting = busy && (last?.role === "user" || (last?.role === "assistant" && visibleParts(last).length === 0));
  const shown = waiting && last?.role === "assistant" ? chat.messages.slice(0, -1) : chat.messages;

  return (
    <section className="compare-pane card" data-testid={`compare-${props.side}`} data-status={chat.status} aria-label={`${props.side === "left" ? "Left" : "Right"} model`}>
      <div className="compare-pane-head">
        <ModelPicker
          id={`compare-model-${props.side}`}
          label={props.side === "left" ? "Left" : "Right"}
          options={props.options}
          value={props.model}
          onChange={props.onModel}
          disabled={busy}
          testId={`model-picker-${props.side}`}
        />
      </div>
      <div className="compare-scroll" ref={scrollRef}>
        {chat.messages.length === 0 && !busy ? <p className="muted chat-empty">Replies from {props.model ?? "this model"} appear here.</p> : null}
        {shown.map((m) => (
          <MessageView key={m.id} message={m} streaming={busy && m === last && m.role === "assistant"} stopped={chat.stopped.has(m.id)} showLatency />
        ))}
        {waiting ? <PendingReply label={`Waiting for ${props.model ?? "the model"} to answer…`} /> : null}
        {chat.error ? <ChatErrorNotice error={chat.error} onRetry={chat.messages.length ? () => void chat.regenerate() : undefined} /> : null}
      </div>
    </section>
  );
}
