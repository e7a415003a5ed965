"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { errorMessage } from "@/lib/client/api";
import { useConversationSearch, useConversations, useDeleteConversation, useUpdateConversation, type Conversation } from "@/lib/client/chat";
import { ConfirmDialog } from "../../_components/confirm-dialog";

/** How long typing must pause before the search is sent. */
const SEARCH_DEBOUNCE_MS = 250;

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The sidebar: the person's conversations, most recently active first, renamed in place, and
 * narrowed by a search over titles and message text as the person types.
 */
export function ConversationList({ activeId }: { activeId: string | null }) {
  const all = useConversations();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const found = useConversationSearch(q);
  const searching = search.trim() !== "";
  const shown: Conversation[] | undefined = searching ? (q ? found.data : undefined) : all.data;
  const loadError = searching ? found.error : all.error;
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const remove = useDeleteConversation();
  const router = useRouter();

  return (
    <aside className="sidebar" aria-label="Conversations">
      <Link href="/" className="button button-primary sidebar-new" data-testid="new-chat">
        New chat
      </Link>
      <div className="sidebar-search" role="search">
        <label htmlFor="conversation-search" className="visually-hidden">
          Search conversations
        </label>
        <input
          id="conversation-search"
          type="search"
          placeholder="Search conversations"
          autoComplete="off"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") setSearch("");
          }}
          data-testid="conversation-search"
        />
      </div>
      {loadError ? (
        <p className="form-error small" role="alert">
          {searching ? "Search failed" : "Could not load your conversations"}: {errorMessage(loadError)}
        </p>
      ) : null}
      <p className="visually-hidden" role="status">
        {searching && q && found.data && !found.isPlaceholderData ? `${found.data.length} conversation${found.data.length === 1 ? "" : "s"} found` : ""}
      </p>
      {!searching && all.data?.length === 0 ? <p className="muted small sidebar-empty">No conversations yet.</p> : null}
      {searching && q && found.data?.length === 0 && !found.isPlaceholderData ? (
        <p className="muted small sidebar-empty" data-testid="search-empty">
          No conversations match “{q}”.
        </p>
      ) : null}
      <ul className="conversation-list" data-testid="conversation-list" aria-busy={searching && (search.trim() !== q || found.isFetching) ? true : undefined}>
        {shown?.map((c) => (
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
