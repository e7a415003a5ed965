/** The provider kinds the gateway speaks. A new kind is its adapter file, one line here and its entry in ./kinds. */
import { anthropic } from "./anthropic";
import type { ProviderKind } from "./kinds";
import { openAiCompatible } from "./openai-compatible";
import { responsesApi } from "./responses-api";
import { simulator } from "./simulator";
import type { ProviderAdapter } from "./types";

const ADAPTERS: Record<ProviderKind, ProviderAdapter> = {
  // Used for the providers whose settings say they speak the Responses API.
  "openai-compatible": { ...openAiCompatible, responses: responsesApi },
  simulator,
  anthropic,
};

export function adapterFor(kind: string): ProviderAdapter {
  const adapter = (ADAPTERS as Record<string, ProviderAdapter | undefined>)[kind];
  if (!adapter) throw new Error(`no adapter for provider kind '${kind}'`);
  return adapter;
}
