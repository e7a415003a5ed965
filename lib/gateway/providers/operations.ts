/** Which adapter calls serve each upstream operation, and whether a provider kind offers one at all. */
import type { Operation } from "../endpoints/types";
import { badRequest } from "../errors";
import type { ModelConfig, ProviderConfig } from "../types";
import type { UpstreamCallInit } from "./transport";
import type { Frame, ProviderAdapter } from "./types";

export interface OperationCall {
  init: UpstreamCallInit;
  /** Reads a whole (non-streaming) answer. */
  parse(text: string): Frame | null;
}

export function supportsOperation(adapter: ProviderAdapter, operation: Operation): boolean {
  return operation === "chat" || (!!adapter.embeddingsCall && !!adapter.parseEmbeddings);
}

/**
 * The call for one attempt. Throws a GatewayError (the client's error, never retried) when the
 * adapter cannot take the request, a provider kind without the operation included.
 */
export function operationCall(
  adapter: ProviderAdapter,
  operation: Operation,
  target: { provider: ProviderConfig; model: ModelConfig },
  body: Record<string, unknown>,
  stream: boolean,
  signal: AbortSignal,
): OperationCall {
  const { provider, model } = target;
  if (operation === "chat") return { init: adapter.chatCall(provider, model, body, stream, signal), parse: adapter.parseBody };
  if (!adapter.embeddingsCall || !adapter.parseEmbeddings) {
    throw badRequest(`The model \`${model.name}\` is served by a provider of kind '${provider.kind}', which has no embeddings API.`, "model", "unsupported_model");
  }
  return { init: adapter.embeddingsCall(provider, model, body, signal), parse: adapter.parseEmbeddings };
}
