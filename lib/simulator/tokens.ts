// Token accounting in OpenAI's style, with the o200k_base encoding.
import { decodeGenerator, encode } from "gpt-tokenizer";
// The gateway's counter, which stays fast on pathological input (one enormous word).
import { countText as countTokens } from "../gateway/tokens";
import type { ChatMessage } from "./request";

// OpenAI's chat format costs about 3 tokens per message and 3 to prime the reply.
const PER_MESSAGE = 3;
const PER_REPLY = 3;

/** The plain text of a message: its string content, its text parts, or the calls it made. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  let text = typeof content === "string" ? content : "";
  if (Array.isArray(content)) text = content.map((part) => part.text ?? "").join("");
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return text;
}

export function countPromptTokens(messages: readonly ChatMessage[]): number {
  let total = PER_REPLY;
  for (const message of messages) {
    total += PER_MESSAGE + countTokens(messageText(message));
    if (message.name) total += 1 + countTokens(message.name);
  }
  return total;
}

/** Splits text into the pieces a model would stream: one per token, whole characters only. */
export function tokenPieces(text: string): string[] {
  return [...decodeGenerator(encode(text))];
}
