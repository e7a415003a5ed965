// Token accounting in OpenAI's style, with the o200k_base encoding.
import { decodeGenerator, encode } from "gpt-tokenizer";
// The gateway's counter, which stays fast on pathological input (one enormous word).
import { countText as countTokens } from "../gateway/tokens";
import type { ChatMessage } from "./request";

/** The plain text of a message: its string content, its text parts, or the calls it made. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  let text = typeof content === "string" ? content : "";
  if (Array.isArray(content)) text = content.map((part) => part.text ?? "").join("");
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return text;
}

/** Splits text into the pieces a model would stream: one per token, whole characters only. */
export function tokenPieces(text: string): string[] {
  return [...decodeGenerator(encode(text))];
}
