import { notFound } from "next/navigation";
import type { ConversationWithMessages } from "@/lib/client/chat";
import { conversationOf, meOf } from "@/lib/server/pages";
import { requireSignedIn } from "../../../_components/page-session";
import { ChatPane } from "../../_components/chat-pane";
import { Workspace } from "../../_components/workspace";

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requireSignedIn(`/c/${id}`);
  const conversation = await conversationOf(viewer, id);
  if (!conversation) notFound();
  const me = await meOf(viewer);
  return (
    <Workspace activeId={id}>
      <title>{`${conversation.title} · Switchyard`}</title>
      {/* Keyed, so moving between conversations starts a fresh chat state. */}
      <ChatPane key={id} conversation={conversation as ConversationWithMessages} teamId={me.currentTeamId} isAdmin={me.role === "admin"} />
    </Workspace>
  );
}
