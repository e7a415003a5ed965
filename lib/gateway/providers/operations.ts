/**
 * Which wire serves each upstream operation for a provider kind, and whether the kind offers the
 * operation at all: chat completions always; embeddings where the adapter has them; the Responses
 * API passed through where the adapter has it and the provider's settings say it speaks it.
 */
import type { CallPlan, Operation } from "../endpoints/types";
import { badRequest } from "../errors";
import type { ModelConfig, ProviderConfig } from "../types";
import type { ProviderAdapter, UpstreamWire } from "./types";

export function supportsOperation(adapter: ProviderAdapter, operation: Operation): boolean {
  if (operation === "chat") return true;
  if (operation === "embeddings") return !!adapter.embeddingsCall && !!adapter.parseEmbeddings;
  return !!adapter.responses;
}

/**
 * The wire for one attempt and the body to send on it. Throws a GatewayError (the client's error,
 * never retried) when the provider's kind cannot take the request.
 */
export function wireFor(adapter: ProviderAdapter, provider: ProviderConfig, model: ModelConfig, req: Pick<CallPlan, "operation" | "body" | "native">): { wire: UpstreamWire; body: Record<string, unknown> } {
  if (req.native?.operation === "responses" && provider.settings.responsesApi && adapter.responses) return { wire: adapter.responses, body: req.native.body };
  if (req.operation === "embeddings") {
    const { embeddingsCall, parseEmbeddings } = adapter;
    if (!embeddingsCall || !parseEmbeddings) {
      throw badRequest(`The model \`${model.name}\` is served by a provider of kind '${provider.kind}', which has no embeddings API.`, "model", "unsupported_model");
    }
    // Embeddings never stream; the decoder is never asked for.
    return { wire: { call: (p, m, b, _stream, signal) => embeddingsCall(p, m, b, signal), parseBody: parseEmbeddings, decoder: adapter.decoder }, body: req.body };
  }
  const chat: UpstreamWire = {
    call: (p, m, b, stream, signal) => adapter.chatCall(p, m, b, stream, signal),
    parseBody: (text) => adapter.parseBody(text),
    decoder: (redact) => adapter.decoder(redact),
  };
  return { wire: chat, body: req.body };
}
