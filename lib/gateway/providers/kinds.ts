/**
 * What people see of each provider kind: safe to import in the browser, unlike the adapters.
 * A new kind adds its entry here beside its adapter's registration in ./index.ts.
 */
export interface KindInfo {
  label: string;
  description: string;
  /** The kind calls a remote server, so a base URL (and usually a key) is needed. */
  remote: boolean;
  baseUrlHint: string;
  /** The base URL field's placeholder. */
  baseUrlExample: string;
  /** How the API key reaches the upstream, for the key field's hint. */
  keyHint: string;
}

export const PROVIDER_KIND_INFO = {
  "openai-compatible": {
    label: "OpenAI-compatible",
    description: "OpenAI, OpenRouter, Ollama, vLLM, or any server speaking the OpenAI API.",
    remote: true,
    baseUrlHint: "The part before /chat/completions, e.g. https://api.openai.com/v1.",
    baseUrlExample: "https://api.openai.com/v1",
    keyHint: "Sent as Authorization: Bearer …",
  },
  simulator: {
    label: "Simulator",
    description: "The built-in simulated upstream: no network, deterministic replies.",
    remote: false,
    baseUrlHint: "",
    baseUrlExample: "",
    keyHint: "",
  },
  anthropic: {
    label: "Anthropic",
    description: "Claude models through Anthropic's Messages API, served to OpenAI clients.",
    remote: true,
    baseUrlHint: "The API's address, e.g. https://api.anthropic.com (with or without /v1).",
    baseUrlExample: "https://api.anthropic.com",
    keyHint: "Sent as x-api-key",
  },
} as const satisfies Record<string, KindInfo>;

export type ProviderKind = keyof typeof PROVIDER_KIND_INFO;
export const PROVIDER_KINDS = Object.keys(PROVIDER_KIND_INFO) as [ProviderKind, ...ProviderKind[]];
