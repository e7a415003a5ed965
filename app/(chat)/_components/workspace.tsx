import type { ReactNode } from "react";
import { ConversationList } from "./conversation-list";
import { WorkspaceShell } from "./workspace-shell";

/** Sidebar of conversations beside the open one; on a phone the sidebar is a drawer. */
export function Workspace({ activeId, children }: { activeId: string | null; children: ReactNode }) {
  return <WorkspaceShell sidebar={<ConversationList activeId={activeId} />}>{children}</WorkspaceShell>;
}
