/** Token counts with OpenAI's o200k tokenizer, for the prompt estimate and for upstreams that report no usage. */
import { countTokens } from "gpt-tokenizer";
import type { ChatRequest } from "./request-schema";

// OpenAI's chat format adds a few tokens per message and for the reply's priming.
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

export function countText(text: string): number {
  return text ? countTokens(text) : 0;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === "object" && typeof part.text === "string" ? part.text : "")).join("");
  }
  return "";
}

/** Prompt tokens as OpenAI would count them: message texts, names, tool calls and tool schemas. */
export function countPromptTokens(req: Pick<ChatRequest, "messages" | "tools">): number {
  let total = REPLY_PRIMING;
  for (const m of req.messages) {
    total += PER_MESSAGE + countText(contentText(m.content));
    if (typeof m.name === "string") total += countText(m.name);
    if (Array.isArray(m.tool_calls)) total += countText(JSON.stringify(m.tool_calls));
  }
  if (req.tools?.length) total += countText(JSON.stringify(req.tools));
  return total;
}
