/**
 * Read-only lookups for server-rendered pages: who is signed in, their teams, one of their
 * conversations, whether the first admin still has to be created.
 */
import { getConversation } from "../chat/conversations";
import { describeMe } from "../chat/me";
import { GatewayError } from "../gateway/errors";
import { stampedClient } from "./client-address";
import { needsSetup as noUsersYet, setupTokenRequired as tokenRequired } from "./first-admin";
import { getRuntime } from "./runtime";
import { viewerFrom, type Viewer } from "./session";

export type { Viewer };
export type Me = Awaited<ReturnType<typeof describeMe>>;
export type ConversationWithMessages = Awaited<ReturnType<typeof getConversation>>;

export async function viewerOf(headers: Headers): Promise<Viewer | null> {
  return viewerFrom(await getRuntime(), headers);
}

export function meOf(viewer: Viewer): Promise<Me> {
  return describeMe(viewer);
}

/** The viewer's own conversation with its messages, or null when it does not exist or is someone else's. */
export async function conversationOf(viewer: Viewer, id: string): Promise<ConversationWithMessages | null> {
  try {
    return await getConversation(viewer.userId, id);
  } catch (err) {
    if (err instanceof GatewayError && err.status === 404) return null;
    throw err;
  }
}

export async function needsSetup(): Promise<boolean> {
  // The runtime opens the database; asking before it exists would find no tables.
  await getRuntime();
  return noUsersYet();
}

/** Whether the setup page has to ask for the token printed at start (not from this machine). */
export async function setupTokenRequired(headers: Headers): Promise<boolean> {
  const runtime = await getRuntime();
  return tokenRequired(stampedClient(headers, runtime.clientStamped));
}
