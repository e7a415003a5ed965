/** Token counts with OpenAI's o200k tokenizer, for the prompt estimate and for upstreams that report no usage. */
import { countTokens } from "gpt-tokenizer";
import type { ChatRequest } from "./request-schema";

// OpenAI's chat format adds a few tokens per message and for the reply's priming.
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

// BPE time grows with the square of a pre-token's length: a megabyte of one repeated character
// would hold the event loop for many minutes. Runs of non-space (or space) longer than this are
// counted in slices, each boundary adding at most a token; ordinary text is counted exactly.
const MAX_RUN = 64;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}|\\s{${MAX_RUN + 1},}`, "g");

export function countText(text: string): number {
  if (!text) return 0;
  let total = 0;
  let last = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    if (m.index > last) total += countTokens(text.slice(last, m.index));
    for (let i = 0; i < m[0].length; i += MAX_RUN) total += countTokens(m[0].slice(i, i + MAX_RUN));
    last = m.index + m[0].length;
  }
  if (last < text.length) total += countTokens(text.slice(last));
  return total;
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
