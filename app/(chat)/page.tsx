import { meOf } from "@/lib/server/pages";
import { requireSignedIn } from "../_components/page-session";
import { NewChat } from "./_components/new-chat";
import { Workspace } from "./_components/workspace";

export default async function ChatHome() {
  const me = await meOf(await requireSignedIn("/"));
  return (
    <Workspace activeId={null}>
      <title>Chat · Switchyard</title>
      <NewChat teamId={me.currentTeamId} name={me.name} isAdmin={me.role === "admin"} />
    </Workspace>
  );
}
