import type { ReactNode } from "react";
import { ConversationList } from "./conversation-list";

/** Sidebar of conversations beside the open one. */
export function Workspace({ activeId, children }: { activeId: string | null; children: ReactNode }) {
  return (
    <div className="workspace">
      <ConversationList activeId={activeId} />
      <main className="workspace-main">{children}</main>
    </div>
  );
}
