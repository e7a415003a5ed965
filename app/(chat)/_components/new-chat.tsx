"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { defaultModel, setPendingFirstMessage, useConversations, useCreateConversation, useMyModels } from "@/lib/client/chat";
import { Composer } from "./composer";
import { ModelPicker } from "./model-picker";
import { NoTeamNotice } from "./no-team";

/** The home page: pick a model and write; the conversation is created with the first message. */
export function NewChat({ teamId, name, isAdmin }: { teamId: string | null; name: string; isAdmin: boolean }) {
  const router = useRouter();
  const models = useMyModels(teamId);
  const conversations = useConversations();
  const create = useCreateConversation();
  const [picked, setPicked] = useState<string | undefined>();
  const model = picked ?? (models.data ? defaultModel(models.data, conversations.data) : undefined);

  const start = async (text: string) => {
    if (!model) return;
    const conversation = await create.mutateAsync({ model });
    setPendingFirstMessage(conversation.id, text);
    router.push(`/c/${conversation.id}`);
  };

  return (
    <div className="chat" data-testid="new-chat-pane">
      <div className="chat-head">
        <h1 className="chat-title">New chat</h1>
        {teamId !== null ? <ModelPicker id="chat-model" label="Model" options={models.data} value={model} onChange={setPicked} /> : null}
      </div>
      <div className="chat-scroll">
        <div className="chat-messages chat-welcome">
          <h2>Hello, {name}</h2>
          <p className="muted">
            Everything you send here goes through the gateway like any API call: your team&apos;s limits and budget apply,
            and a route may split your conversation between two models. The line under each reply tells you which model
            answered, what it cost and how fast it started.
          </p>
          {models.error ? (
            <p className="form-error" role="alert">
              Could not load the models: {errorMessage(models.error)}
            </p>
          ) : null}
          {create.error ? (
            <p className="form-error" role="alert">
              Could not start the conversation: {errorMessage(create.error)}
            </p>
          ) : null}
        </div>
      </div>
      <div className="chat-footer">
        {teamId === null ? <NoTeamNotice isAdmin={isAdmin} /> : <Composer onSend={start} busy={create.isPending} disabled={!model} autoFocus />}
      </div>
    </div>
  );
}
