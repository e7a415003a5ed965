/** Any OpenAI-compatible upstream (OpenAI, OpenRouter, Ollama, vLLM, relays): a base URL and a bearer key. */
import { acceptedFields } from "../output-ceiling";
import type { ModelConfig, ProviderConfig } from "../types";
import type { UpstreamCallInit } from "./transport";

export interface UpstreamCall {
  body: Record<string, unknown>;
  stream: boolean;
  signal: AbortSignal;
}

/**
 * The body the upstream sees: the client's, untouched except for the model name, usage reporting
 * and the output-limit fields the model's upstream accepts.
 */
export function upstreamBody(clientBody: Record<string, unknown>, model: ModelConfig, stream: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { ...acceptedFields(clientBody, model.maxTokensField), model: model.upstreamModel };
  if (stream) {
    const opts = clientBody.stream_options;
    body.stream_options = { ...(opts && typeof opts === "object" ? opts : {}), include_usage: true };
  }
  return body;
}

function baseOf(provider: ProviderConfig): string {
  return (provider.baseUrl ?? "").replace(/\/+$/, "");
}

export function chatCompletionsCall(provider: ProviderConfig, call: UpstreamCall): UpstreamCallInit {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: call.stream ? "text/event-stream" : "application/json",
    // Some providers' firewalls refuse requests without one.
    "user-agent": "switchyard",
  };
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  return { url: `${baseOf(provider)}/chat/completions`, headers, body: JSON.stringify(call.body), signal: call.signal };
}

/** GET <base>/models: what a connection test asks. Sent without following redirects, as chat calls are. */
export function modelsRequest(provider: ProviderConfig): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "switchyard" };
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  return { url: `${baseOf(provider)}/models`, headers };
}
