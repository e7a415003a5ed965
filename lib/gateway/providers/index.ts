/**
 * Sends a chat-completions call to a provider. The simulator speaks the same wire format, so it is
 * the same adapter with an in-process fetch instead of the network.
 */
import type { GatewayDeps, ModelConfig, ProviderConfig } from "../types";
import { chatCompletionsRequest, type UpstreamCall } from "./openai-compatible";

export const SIMULATOR_BASE_URL = "http://simulator.internal/v1";

export function sendChatCompletion(
  deps: Pick<GatewayDeps, "fetch" | "simulator">,
  provider: ProviderConfig,
  model: ModelConfig,
  call: UpstreamCall,
): Promise<Response> {
  if (provider.kind === "simulator") {
    const request = chatCompletionsRequest({ ...provider, baseUrl: SIMULATOR_BASE_URL, apiKey: null }, call);
    return deps.simulator(request, model.simulator);
  }
  if (provider.egressDenied) {
    // Answered like an upstream that refuses us: a configuration problem, never retried.
    return Promise.resolve(
      Response.json({ error: { message: `This provider's base URL is not allowed: ${provider.egressDenied}.`, type: "egress_denied" } }, { status: 403 }),
    );
  }
  return deps.fetch(chatCompletionsRequest(provider, call));
}
