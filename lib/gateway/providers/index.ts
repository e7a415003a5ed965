/**
 * Sends a chat-completions call to a provider. The simulator speaks the same wire format, so it is
 * the same adapter with an in-process handler instead of the network.
 */
import type { GatewayDeps, ModelConfig, ProviderConfig } from "../types";
import { chatCompletionsCall, type UpstreamCall } from "./openai-compatible";
import { fromWebResponse, type UpstreamResponse } from "./transport";

export const SIMULATOR_BASE_URL = "http://simulator.internal/v1";

export async function sendChatCompletion(
  deps: Pick<GatewayDeps, "http" | "simulator">,
  provider: ProviderConfig,
  model: ModelConfig,
  call: UpstreamCall,
): Promise<UpstreamResponse> {
  if (provider.kind === "simulator") {
    const init = chatCompletionsCall({ ...provider, baseUrl: SIMULATOR_BASE_URL, apiKey: null }, call);
    const request = new Request(init.url, { method: "POST", headers: init.headers, body: init.body, signal: init.signal });
    // Held by the answer: aborting `call.signal` must keep reaching the simulator through the request's signal.
    return fromWebResponse(await deps.simulator(request, model.simulator), call.signal, request);
  }
  return deps.http(chatCompletionsCall(provider, call));
}
