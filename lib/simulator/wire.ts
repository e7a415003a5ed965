// OpenAI's chat-completions wire format: response objects, stream chunks and error bodies.
import type { FinishReason, ReplyPlan } from "./reply";

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): ErrorBody {
  return { error: { message, type, param, code } };
}

export function errorResponse(status: number, body: ErrorBody, headers?: Record<string, string>): Response {
  return Response.json(body, { status, headers });
}

function usage(plan: ReplyPlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

/** The `chat.completion` object of a non-streaming reply. */
export function completionBody(meta: CompletionMeta, plan: ReplyPlan) {
  const { toolCall } = plan;
  const message = toolCall
    ? {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [{ id: toolCall.id, type: "function", function: { name: toolCall.name, arguments: toolCall.arguments } }],
      }
    : { role: "assistant", content: plan.pieces.join(""), refusal: null };
  return {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    system_fingerprint: "fp_sim",
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: usage(plan),
  };
}

/**
 * Server-sent events of a streaming reply. Chunks share a pre-serialised envelope, since a
 * benchmark may ask for thousands of them a second.
 */
export function chunkEvents(meta: CompletionMeta, plan: ReplyPlan, includeUsage: boolean) {
  const head = `data: {"id":${JSON.stringify(meta.id)},"object":"chat.completion.chunk","created":${meta.created},"model":${JSON.stringify(meta.model)},"system_fingerprint":"fp_sim","choices":`;
  const tail = includeUsage ? `,"usage":null}\n\n` : "}\n\n";
  const choice = (delta: string, finish: FinishReason | null) =>
    `${head}[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : "null"}}]${tail}`;
  const { toolCall } = plan;

  return {
    first: toolCall
      ? choice(
          `{"role":"assistant","content":null,"refusal":null,"tool_calls":[{"index":0,"id":${JSON.stringify(toolCall.id)},"type":"function","function":{"name":${JSON.stringify(toolCall.name)},"arguments":""}}]}`,
          null,
        )
      : choice(`{"role":"assistant","content":"","refusal":null}`, null),
    piece: (text: string) =>
      choice(toolCall ? `{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(text)}}}]}` : `{"content":${JSON.stringify(text)}}`, null),
    /** The finish chunk, the usage chunk when asked for, and the terminator. */
    end: () =>
      choice("{}", plan.finishReason) +
      (includeUsage ? `${head}[],"usage":${JSON.stringify(usage(plan))}}\n\n` : "") +
      "data: [DONE]\n\n",
  };
}
