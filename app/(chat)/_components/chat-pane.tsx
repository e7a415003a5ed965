"use client";
import { useChat } from "@ai-sdk/react";
import { useQueryClient } from "@tanstack/react-query";
import { DefaultChatTransport } from "ai";
import { useEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import {
  chatKeys,
  takePendingFirstMessage,
  useConversations,
  useMyModels,
  useUpdateConversation,
  type ChatMessage,
  type ConversationWithMessages,
} from "@/lib/client/chat";
import { ChatErrorNotice } from "./chat-error";
import { Composer } from "./composer";
import { ConversationSettings, settingsSummary } from "./conversation-settings";
import { MessageView } from "./message-view";
import { ModelPicker } from "./model-picker";
import { NoTeamNotice } from "./no-team";
import { useStickToBottom } from "./use-stick-to-bottom";

/** One conversation: its messages, the model picker, and the box to write in. */
export function ChatPane({ conversation, teamId, isAdmin }: { conversation: ConversationWithMessages; teamId: string | null; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const models = useMyModels(teamId);
  // The list has the live title: the server names a new conversation after its first message.
  const title = useConversations().data?.find((c) => c.id === conversation.id)?.title ?? conversation.title;
  const updateConversation = useUpdateConversation();
  const saveSettings = useUpdateConversation();
  const [model, setModel] = useState(conversation.model);
  // As last saved: the server sends what it has stored with every turn.
  const [settings, setSettings] = useState({ systemPrompt: conversation.systemPrompt, temperature: conversation.temperature });
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);
  // Replies cut short with Stop in this visit; they have no metadata until the page is reloaded.
  const [stopped, setStopped] = useState<ReadonlySet<string>>(() => new Set());
  const modelRef = useRef(model);
  modelRef.current = model;

  // The model rides along with every request, so a pick counts even before its PATCH lands.
  const transport = useMemo(() => new DefaultChatTransport<ChatMessage>({ api: "/api/chat", body: () => ({ model: modelRef.current }) }), []);
  const { messages, sendMessage, status, error, stop, regenerate } = useChat<ChatMessage>({
    id: conversation.id,
    messages: conversation.messages,
    transport,
    onFinish: ({ message, isAbort }) => {
      if (isAbort) setStopped((ids) => new Set(ids).add(message.id));
      // A first reply renames the conversation and every reply moves it to the top of the list.
      void queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
    },
  });

  useEffect(() => {
    const pending = takePendingFirstMessage(conversation.id);
    if (pending) void sendMessage({ text: pending });
  }, [conversation.id, sendMessage]);

  const busy = status === "submitted" || status === "streaming";
  const last = messages.at(-1);
  // The conversation's model may be one the current team is not allowed (another team's, or taken off its list).
  const notAllowed = models.data !== undefined && !models.data.some((o) => o.id === model);
  const scrollRef = useStickToBottom<HTMLDivElement>(messages);

  const closeSettings = () => {
    setSettingsOpen(false);
    saveSettings.reset();
    settingsButton.current?.focus();
  };
  const summary = settingsSummary(settings);

  const changeModel = (next: string) => {
    const previous = model;
    setModel(next);
    updateConversation.mutate({ id: conversation.id, model: next }, { onError: () => setModel(previous) });
  };

  return (
    <div className="chat" data-testid="chat" data-status={status}>
      <div className="chat-head">
        <h1 className="chat-title" data-testid="chat-title">
          {title}
        </h1>
        {summary ? (
          <span className="chat-settings-summary" data-testid="settings-summary">
            {summary}
          </span>
        ) : null}
        <button
          ref={settingsButton}
          type="button"
          className="button button-small chat-settings-toggle"
          aria-expanded={settingsOpen}
          aria-controls="chat-settings"
          onClick={() => (settingsOpen ? closeSettings() : setSettingsOpen(true))}
          data-testid="open-settings"
        >
          Settings
        </button>
        <ModelPicker id="chat-model" label="Model" options={models.data} value={model} onChange={changeModel} disabled={busy || teamId === null} />
      </div>
      {settingsOpen ? (
        <ConversationSettings
          id="chat-settings"
          conversation={settings}
          saving={saveSettings.isPending}
          error={saveSettings.error}
          onClose={closeSettings}
          onSave={(next) =>
            saveSettings.mutate(
              { id: conversation.id, ...next },
              {
                onSuccess: (saved) => {
                  setSettings({ systemPrompt: saved.systemPrompt, temperature: saved.temperature });
                  closeSettings();
                },
              },
            )
          }
        />
      ) : null}
      {models.error ? (
        <p className="form-error" role="alert">
          Could not load the models: {errorMessage(models.error)}
        </p>
      ) : null}
      {updateConversation.error ? (
        <p className="form-error" role="alert">
          Could not change the model: {errorMessage(updateConversation.error)}
        </p>
      ) : null}
      <div className="chat-scroll" ref={scrollRef}>
        <div className="chat-messages" data-testid="messages">
          {messages.length === 0 && !busy ? <p className="muted chat-empty">No messages yet. Say something to {model}.</p> : null}
          {messages.map((m) => (
            <MessageView
              key={m.id}
              message={m}
              streaming={busy && m === last && m.role === "assistant"}
              stopped={stopped.has(m.id)}
              onEdit={teamId === null ? undefined : (text) => void sendMessage({ text, messageId: m.id })}
              editDisabled={busy || saveSettings.isPending}
            />
          ))}
          {status === "submitted" && last?.role === "user" ? <PendingReply /> : null}
          {error ? <ChatErrorNotice error={error} onRetry={messages.length ? () => void regenerate() : undefined} /> : null}
          {!busy && !error && last?.role === "assistant" ? (
            <div className="chat-after">
              <button type="button" className="link-button" onClick={() => void regenerate()} data-testid="regenerate">
                ↻ Regenerate
              </button>
            </div>
          ) : null}
        </div>
      </div>
      <div className="chat-footer">
        {teamId === null ? (
          <NoTeamNotice isAdmin={isAdmin} />
        ) : (
          <Composer
            onSend={(text) => void sendMessage({ text })}
            onStop={() => void stop()}
            busy={busy}
            disabled={!model || notAllowed || saveSettings.isPending}
            disabledReason={notAllowed ? `Your team may not use ${model}. Pick another model to send.` : undefined}
            autoFocus
          />
        )}
      </div>
    </div>
  );
}

export function PendingReply({ label }: { label?: string }) {
  return (
    <div className="msg msg-assistant" data-testid="pending-reply">
      <div className="msg-content">
        <span className="typing" aria-label={label ? undefined : "Waiting for the reply"} aria-hidden={label ? true : undefined}>
          <span />
          <span />
          <span />
        </span>
        {label ? <span className="pending-label">{label}</span> : null}
      </div>
    </div>
  );
}
