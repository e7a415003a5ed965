/**
 * POST /v1/responses: OpenAI's Responses API. A provider that speaks it is sent the client's request
 * as it is (model, output limit and `store: false` set by the gateway); every other provider gets
 * the request translated to chat completions, and its answer is written back as a Response. Budgets
 * and limits are the chat rules over the translated request, whichever way the call goes.
 */
import { applyCeiling, outputCeiling } from "../output-ceiling";
import { estimatePromptTokens } from "../prompt-estimate";
import { parseResponsesRequest, toChatRequest, type ResponsesRequest } from "../responses-request";
import { responseBody, responsesStreamEncoder, type ResponseEcho } from "../responses-wire";
import type { Endpoint } from "./types";

function echoOf(req: ResponsesRequest): ResponseEcho {
  return {
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    temperature: req.temperature ?? null,
    top_p: req.top_p ?? null,
    text: { format: req.text?.format ?? { type: "text" }, ...(req.text?.verbosity ? { verbosity: req.text.verbosity } : {}) },
    tool_choice: req.tool_choice ?? "auto",
    tools: (req.tools ?? []) as Array<Record<string, unknown>>,
    reasoning: { effort: req.reasoning?.effort ?? null, summary: null },
    user: req.user ?? null,
  };
}

export const responses: Endpoint = {
  name: "responses",
  parse(json) {
    const req = parseResponsesRequest(json);
    const chat = toChatRequest(req);
    const echo = echoOf(req);
    return {
      model: req.model,
      user: req.user ?? req.safety_identifier ?? null,
      stream: req.stream === true,
      capability: "chat",
      plan(model, budgeted) {
        const ceiling = outputCeiling(chat, model.maxOutputTokens, budgeted);
        // Omitted `store` means not stored here; OpenAI's own default is to store, so it is said outright.
        const native: Record<string, unknown> = { ...(json as Record<string, unknown>), store: false };
        if (ceiling.enforced) native.max_output_tokens = ceiling.perChoice;
        return {
          promptEstimate: estimatePromptTokens(chat),
          ceiling,
          operation: "chat",
          body: applyCeiling(chat, ceiling),
          native: { operation: "responses", body: native },
        };
      },
      plainBody: (answer, now, meta) => responseBody(answer, echo, now, meta),
      streamEncoder: (now, meta) => responsesStreamEncoder(echo, now, meta),
    };
  },
};
