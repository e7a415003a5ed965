// The conversations queries, on whichever database this process opened (db/dialect.ts).
import * as sqlite from "../queries-sqlite/conversations";
import { facade } from "../dialect";

export const { listConversationsOfUser, searchConversationsOfUser, getConversationOfUser, insertConversation, updateConversation, deleteConversation, listMessages, replaceMessages, countMessages } = facade("conversations", sqlite);
