// What the simulated model answers to a request: the pieces to send and the numbers to bill.
import { countText as countTokens } from "../gateway/tokens";
import type { SimProfile } from "./profile";
import { randomFromDigest, replyDigest } from "./random";
import type { ChatRequest } from "./request";
import { generatePieces, replyLength } from "./text";
import { countPromptTokens } from "./prompt-tokens";
import { messageText, tokenPieces } from "./tokens";
import { chooseTool, schemaJson, toolArguments, toolCallId, type ToolCall } from "./tools";

export type FinishReason = "stop" | "length" | "tool_calls";

export interface ReplyPlan {
  /** Content pieces, or fragments of the tool call's arguments when there is one. */
  pieces: string[];
  toolCall?: ToolCall;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

const TOOL_RESULT_CHARS = 200;

export function planReply(request: ChatRequest, profile: SimProfile): ReplyPlan {
  const { messages } = request;
  const digest = replyDigest(profile.seed, messages);
  const cap = request.max_completion_tokens ?? request.max_tokens ?? Number.POSITIVE_INFINITY;
  const promptTokens = countPromptTokens(request);
  const last = messages.at(-1);

  const tool = chooseTool(request);
  if (tool && last) {
    const fragments = tokenPieces(toolArguments(tool, randomFromDigest(digest, 1), messageText(last)));
    const pieces = fragments.slice(0, cap);
    const args = pieces.join("");
    return {
      pieces,
      toolCall: { id: toolCallId(digest), name: tool.function.name, arguments: args },
      finishReason: pieces.length < fragments.length ? "length" : "tool_calls",
      promptTokens,
      completionTokens: countTokens(args),
    };
  }

  // Structured output: a JSON value following the schema, the way OpenAI's json_schema format answers.
  const format = request.response_format;
  if (format?.type === "json_schema" && last) {
    const fragments = tokenPieces(schemaJson(format.json_schema?.schema ?? { type: "object" }, randomFromDigest(digest, 2), messageText(last)));
    const pieces = fragments.slice(0, cap);
    return { pieces, finishReason: pieces.length < fragments.length ? "length" : "stop", promptTokens, completionTokens: countTokens(pieces.join("")) };
  }

  const rng = randomFromDigest(digest, 0);
  const lead = last?.role === "tool" ? tokenPieces(`Based on the tool result: ${clip(messageText(last))}.`) : [];
  const wanted = profile.outputTokens ?? lead.length + replyLength(rng);
  const all = [...lead, ...generatePieces(rng, Math.max(0, wanted - lead.length), lead.length > 0)].slice(0, wanted);
  const pieces = all.slice(0, cap);
  return {
    pieces,
    finishReason: pieces.length < all.length ? "length" : "stop",
    promptTokens,
    completionTokens: pieces.length,
  };
}

function clip(text: string): string {
  if (text.length <= TOOL_RESULT_CHARS) return text;
  return `${Array.from(text).slice(0, TOOL_RESULT_CHARS).join("")}…`;
}
