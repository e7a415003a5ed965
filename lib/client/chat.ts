/** Wire types and react-query hooks for the chat workspace: the person's models and conversations. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { UIMessage } from "ai";
import type { ReplyMetadata } from "@/lib/chat/door";
import { api } from "./api";

export type { ReplyMetadata };
export type ChatMessage = UIMessage<ReplyMetadata>;

export interface ModelOption {
  id: string;
  kind: "model" | "route";
  control?: string;
  candidate?: string | null;
}

export interface Conversation {
  id: string;
  title: string;
  model: string;
  teamId: string | null;
  /** Sent first, as a system message, with every turn. */
  systemPrompt: string | null;
  /** 0–2; null leaves it to the model. */
  temperature: number | null;
  createdAt: string;
  updatedAt: string;
}

export type ConversationPatch = Partial<Pick<Conversation, "title" | "model" | "systemPrompt" | "temperature">>;

export interface ConversationWithMessages extends Conversation {
  messages: ChatMessage[];
}

export const chatKeys = {
  /** Every list of conversations, the search results included, starts with this. */
  conversations: ["conversations"] as const,
  search: (q: string) => ["conversations", "search", q] as const,
  models: (teamId: string | null) => ["me", "models", teamId] as const,
};

/** What the current team may use; keyed by team so switching teams refetches. */
export function useMyModels(teamId: string | null) {
  return useQuery({
    queryKey: chatKeys.models(teamId),
    queryFn: ({ signal }) => api<{ data: ModelOption[] }>("/api/me/models", { signal }).then((r) => r.data),
    enabled: teamId !== null,
    staleTime: 30_000,
  });
}

export function useConversations() {
  return useQuery({
    queryKey: chatKeys.conversations,
    queryFn: ({ signal }) => api<{ data: Conversation[] }>("/api/conversations", { signal }).then((r) => r.data),
  });
}

/** The conversations whose title or messages contain `q`; the last results stay while the next load. */
export function useConversationSearch(q: string) {
  return useQuery<Conversation[]>({
    queryKey: chatKeys.search(q),
    queryFn: ({ signal }) => api<{ data: Conversation[] }>(`/api/conversations?q=${encodeURIComponent(q)}`, { signal }).then((r) => r.data),
    enabled: q !== "",
    placeholderData: keepPreviousData,
  });
}

export function useCreateConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { model: string }) => api<Conversation>("/api/conversations", { json: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: chatKeys.conversations }),
  });
}

export function useUpdateConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: { id: string } & ConversationPatch) =>
      api<Conversation>(`/api/conversations/${encodeURIComponent(id)}`, { method: "PATCH", json: patch }),
    onSuccess: (updated) => {
      queryClient.setQueryData<Conversation[]>(chatKeys.conversations, (list) => list?.map((c) => (c.id === updated.id ? updated : c)));
      return queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
    },
  });
}

export function useDeleteConversation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/api/conversations/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: (_, id) => {
      queryClient.setQueryData<Conversation[]>(chatKeys.conversations, (list) => list?.filter((c) => c.id !== id));
      return queryClient.invalidateQueries({ queryKey: chatKeys.conversations });
    },
  });
}

/**
 * The first message of a chat started on the home page waits here while the new conversation's
 * page loads; that page sends it. Kept in memory: a reload in between simply drops it.
 */
const pendingFirstMessages = new Map<string, string>();

export function setPendingFirstMessage(conversationId: string, text: string): void {
  pendingFirstMessages.set(conversationId, text);
}

export function takePendingFirstMessage(conversationId: string): string | undefined {
  const text = pendingFirstMessages.get(conversationId);
  pendingFirstMessages.delete(conversationId);
  return text;
}

/** The server's cap (lib/chat/conversations.ts), so the form can say so before saving. */
export const MAX_SYSTEM_PROMPT_CHARS = 10_000;

/** A temperature as typed: blank is the model's default (null); anything else must be 0–2. */
export function parseTemperature(text: string): { value: number | null; error?: undefined } | { value?: undefined; error: string } {
  const t = text.trim();
  if (t === "") return { value: null };
  const n = Number(t.replace(",", "."));
  if (!Number.isFinite(n) || n < 0 || n > 2) return { error: "Enter a number from 0 to 2, or leave it blank for the model's default" };
  return { value: n };
}

/** The model a new chat starts with: the one used last if it is still allowed, else a route, else the first. */
export function defaultModel(options: ModelOption[], conversations: Conversation[] | undefined): string | undefined {
  const last = conversations?.[0]?.model;
  if (last && options.some((o) => o.id === last)) return last;
  return (options.find((o) => o.kind === "route") ?? options[0])?.id;
}

/**
 * What compare mode starts with: two different models worth comparing. The model used last (a
 * route stands for its control) against another; a route's candidate when the route was last, or
 * with no history the first route's two sides; failing that, the first two models.
 */
export function comparePair(options: ModelOption[], conversations: Conversation[] | undefined): [string | undefined, string | undefined] {
  const models = options.filter((o) => o.kind === "model");
  if (models.length < 2) return [options[0]?.id, options[1]?.id ?? options[0]?.id];
  const allowed = (id: string | null | undefined) => (id ? models.find((m) => m.id === id)?.id : undefined);
  const start = options.find((o) => o.id === conversations?.[0]?.model) ?? options.find((o) => o.kind === "route");
  const left = (start?.kind === "route" ? allowed(start.control) : allowed(start?.id)) ?? models[0]!.id;
  const partner = start?.kind === "route" ? allowed(start.candidate) : undefined;
  const right = partner && partner !== left ? partner : models.find((m) => m.id !== left)!.id;
  return [left, right];
}
