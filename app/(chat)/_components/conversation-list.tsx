"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useConversations, useDeleteConversation, useUpdateConversation, type Conversation } from "@/lib/client/chat";
import { ConfirmDialog } from "../../_components/confirm-dialog";

/** The sidebar: the person's conversations, most recently active first, renamed in place. */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const conversations = useConversations();
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const remove = useDeleteConversation();
  const router = useRouter();

  return (
    <aside className="sidebar" aria-label="Conversations">
      <Link href="/" className="button button-primary sidebar-new" data-testid="new-chat">
        New chat
      </Link>
      {conversations.error ? (
        <p className="form-error small" role="alert">
          Could not load your conversations: {errorMessage(conversations.error)}
        </p>
      ) : null}
      {conversations.data?.length === 0 ? <p className="muted small sidebar-empty">No conversations yet.</p> : null}
      <ul className="conversation-list" data-testid="conversation-list">
        {conversations.data?.map((c) => (
          <ConversationItem key={c.id} conversation={c} active={c.id === activeId} onDelete={() => setDeleting(c)} />
        ))}
      </ul>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this conversation?"
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => {
          if (!deleting) return;
          const id = deleting.id;
          remove.mutate(id, {
            onSuccess: () => {
              setDeleting(null);
              if (id === activeId) router.push("/");
            },
          });
        }}
      >
        <p>
          “{deleting?.title}” and all its messages will be deleted. This cannot be undone.
        </p>
      </ConfirmDialog>
    </aside>
  );
}

function ConversationItem({ conversation, active, onDelete }: { conversation: Conversation; active: boolean; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const update = useUpdateConversation();

  const save = () => {
    const next = title.trim();
    setEditing(false);
    if (!next || next === conversation.title) {
      setTitle(conversation.title);
      return;
    }
    update.mutate({ id: conversation.id, title: next }, { onError: () => setTitle(conversation.title) });
  };

  return (
    <li className={`conversation${active ? " conversation-active" : ""}`} data-testid="conversation-item" data-id={conversation.id}>
      {editing ? (
        <input
          className="conversation-rename"
          aria-label="Conversation title"
          data-testid="rename-input"
          value={title}
          maxLength={200}
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          onChange={(e) => setTitle(e.target.value)}
          onBlur={save}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              save();
            } else if (e.key === "Escape") {
              setTitle(conversation.title);
              setEditing(false);
            }
          }}
        />
      ) : (
        <Link href={`/c/${conversation.id}`} className="conversation-link" aria-current={active ? "page" : undefined} title={conversation.title}>
          {update.isPending ? title : conversation.title}
        </Link>
      )}
      {!editing ? (
        <span className="conversation-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Rename “${conversation.title}”`}
            title="Rename"
            data-testid="rename"
            onClick={() => {
              setTitle(conversation.title);
              setEditing(true);
            }}
          >
            ✎
          </button>
          <button type="button" className="icon-button icon-button-danger" aria-label={`Delete “${conversation.title}”`} title="Delete" data-testid="delete" onClick={onDelete}>
            ×
          </button>
        </span>
      ) : null}
      {update.error ? (
        <p className="field-error" role="alert">
          Rename failed: {errorMessage(update.error)}
        </p>
      ) : null}
    </li>
  );
}
