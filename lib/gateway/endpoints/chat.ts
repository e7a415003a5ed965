/** POST /v1/chat/completions. */
import { chatCompletionBody, chatStreamEncoder } from "../chat-wire";
import { applyCeiling, outputCeiling } from "../output-ceiling";
import { estimatePromptTokens } from "../prompt-estimate";
import { parseChatRequest } from "../request-schema";
import type { Endpoint } from "./types";

export const chatCompletions: Endpoint = {
  name: "chat",
  parse(json) {
    const body = parseChatRequest(json);
    return {
      model: body.model,
      user: body.user ?? null,
      stream: body.stream === true,
      capability: "chat",
      plan(model, budgeted) {
        // n choices of the ceiling: capping the upstream there is what makes a budget exact.
        const ceiling = outputCeiling(body, model.maxOutputTokens, budgeted);
        return { promptEstimate: estimatePromptTokens(body), ceiling, operation: "chat", body: applyCeiling(json as Record<string, unknown>, ceiling) };
      },
      plainBody: chatCompletionBody,
      streamEncoder: (now) => chatStreamEncoder({ includeUsage: body.stream_options?.include_usage === true, now }),
    };
  },
};
