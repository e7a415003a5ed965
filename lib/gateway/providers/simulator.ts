/**
 * The built-in simulator: OpenAI's wire format answered in-process, so it is the OpenAI-compatible
 * adapter with the simulator instead of the network.
 */
import { fromWebResponse } from "./transport";
import { openAiCompatible } from "./openai-compatible";
import type { ProviderConfig } from "../types";
import type { ProviderAdapter } from "./types";

export const SIMULATOR_BASE_URL = "http://simulator.internal/v1";

const inProcess = (provider: ProviderConfig): ProviderConfig => ({ ...provider, baseUrl: SIMULATOR_BASE_URL, apiKey: null });

export const simulator: ProviderAdapter = {
  ...openAiCompatible,
  kind: "simulator",
  chatCall: (provider, model, body, stream, signal) => openAiCompatible.chatCall(inProcess(provider), model, body, stream, signal),
  embeddingsCall: (provider, model, body, signal) => openAiCompatible.embeddingsCall!(inProcess(provider), model, body, signal),
  async send(deps, model, call) {
    const request = new Request(call.url, { method: "POST", headers: call.headers, body: call.body, signal: call.signal });
    // Held by the answer: aborting the call's signal must keep reaching the simulator through the request's signal.
    return fromWebResponse(await deps.simulator(request, model.simulator), call.signal, request);
  },
  async fetchModels(io, _provider, signal) {
    const res = await io.simulator(new Request(`${SIMULATOR_BASE_URL}/models`, { signal }));
    return { status: res.status, read: () => res.text(), discard: () => void res.body?.cancel().catch(() => {}) };
  },
};
