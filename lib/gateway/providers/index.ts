/**
 * Sends a chat-completions call to a provider. The simulator speaks the same wire format, so it is
 * the same adapter with an in-process fetch instead of the network.
 */
import type { GatewayDeps, ModelConfig, ProviderConfig } from "../types";
import { chatCompletionsRequest, type UpstreamCall } from "./openai-compatible";

export const SIMULATOR_BASE_URL = "http://simulator.internal/v1";

/**
 * The call as sent, and its answer. The caller holds `request` for as long as the call may still be
 * aborted: fetch(request) copies the Request, the copy follows the Request's own signal, and that
 * follows `call.signal` through a weak reference only (nodejs/undici#4068). Once nothing holds
 * `request`, a garbage collection cuts the chain, and a timeout or a client going away no longer
 * stops the call, which then waits for the upstream to hang up. (Holding it from the signal instead
 * would keep it forever: undici's finalizer registry holds the signal.)
 */
export interface SentCall {
  request: Request;
  response: Promise<Response>;
}

export function sendChatCompletion(
  deps: Pick<GatewayDeps, "fetch" | "simulator">,
  provider: ProviderConfig,
  model: ModelConfig,
  call: UpstreamCall,
): SentCall {
  if (provider.kind === "simulator") {
    const request = chatCompletionsRequest({ ...provider, baseUrl: SIMULATOR_BASE_URL, apiKey: null }, call);
    return { request, response: deps.simulator(request, model.simulator) };
  }
  const request = chatCompletionsRequest(provider, call);
  return { request, response: deps.fetch(request) };
}
