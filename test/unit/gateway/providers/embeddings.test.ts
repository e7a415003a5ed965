/** The adapters' embeddings calls: where they go, what they send, how an answer is read, and who has none. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/gateway/errors";
import { adapterFor } from "@/lib/gateway/providers";
import { supportsOperation, wireFor } from "@/lib/gateway/providers/operations";
import { openAiCompatible, parseEmbeddingList } from "@/lib/gateway/providers/openai-compatible";
import { SIMULATOR_BASE_URL, simulator } from "@/lib/gateway/providers/simulator";
import { DEFAULT_PROVIDER_SETTINGS, type ModelConfig, type ProviderConfig } from "@/lib/gateway/types";

const provider = (kind: ProviderConfig["kind"]): ProviderConfig => ({
  id: "p", name: "p", kind, baseUrl: "https://api.example.com/v1/", apiKey: "sk-upstream", settings: DEFAULT_PROVIDER_SETTINGS, egressDenied: null,
});
const model: ModelConfig = {
  id: "m", name: "embedder", providerId: "p", upstreamModel: "text-embedding-3-small", inputMicrosPerMTok: 20_000, outputMicrosPerMTok: 0,
  maxOutputTokens: null, maxTokensField: "both", rpmLimit: null, tpmLimit: null, fallbacks: [], endpoints: ["embeddings"], simulator: null, createdAt: 0,
};
const signal = new AbortController().signal;
const body = { model: "embedder", input: ["a", "b"], dimensions: 256, encoding_format: "base64", something_new: true };

describe("an OpenAI-compatible embeddings call", () => {
  it("posts the client's body to {base}/embeddings with the upstream's model name and the key", () => {
    const call = openAiCompatible.embeddingsCall!(provider("openai-compatible"), model, body, signal);
    expect(call.url).toBe("https://api.example.com/v1/embeddings");
    expect(call.headers).toMatchObject({ authorization: "Bearer sk-upstream", "content-type": "application/json", accept: "application/json" });
    expect(JSON.parse(call.body)).toEqual({ ...body, model: "text-embedding-3-small" });
  });

  it("goes to the in-process simulator, without the key, for the simulator kind", () => {
    const call = simulator.embeddingsCall!(provider("simulator"), model, body, signal);
    expect(call.url).toBe(`${SIMULATOR_BASE_URL}/embeddings`);
    expect(call.headers).not.toHaveProperty("authorization");
  });
});

describe("an embeddings answer", () => {
  it("keeps the body as it came and reads its prompt tokens as usage, with no output", () => {
    const text = '{"object":"list","data":[{"object":"embedding","index":0,"embedding":"AACAPw=="}],"model":"x","usage":{"prompt_tokens":5,"total_tokens":5}}';
    expect(parseEmbeddingList(text)).toEqual({ raw: text, events: [{ type: "usage", promptTokens: 5, completionTokens: 0 }] });
  });

  it("has no usage event when the upstream reports none", () => {
    expect(parseEmbeddingList('{"object":"list","data":[]}')).toEqual({ raw: '{"object":"list","data":[]}', events: [] });
  });

  it.each([["not JSON", "{"], ["a chat completion", '{"choices":[]}'], ["an array", "[]"], ["null", "null"]])("is null for %s", (_name, text) => {
    expect(parseEmbeddingList(text)).toBeNull();
  });
});

describe("operations per provider kind", () => {
  it("offers embeddings on OpenAI-compatible providers and the simulator, not on Anthropic", () => {
    expect(supportsOperation(adapterFor("openai-compatible"), "embeddings")).toBe(true);
    expect(supportsOperation(adapterFor("simulator"), "embeddings")).toBe(true);
    expect(supportsOperation(adapterFor("anthropic"), "embeddings")).toBe(false);
    expect(supportsOperation(adapterFor("anthropic"), "chat")).toBe(true);
  });

  it("refuses an embeddings call to Anthropic as the client's error, naming the model", () => {
    const call = () => wireFor(adapterFor("anthropic"), provider("anthropic"), model, { operation: "embeddings", body });
    expect(call).toThrow(GatewayError);
    expect(call).toThrow("The model `embedder` is served by a provider of kind 'anthropic', which has no embeddings API.");
    try {
      call();
    } catch (err) {
      expect(err).toMatchObject({ status: 400, param: "model", code: "unsupported_model" });
    }
  });

  it("reads each operation's answer with its own parser", () => {
    const target = { provider: provider("openai-compatible"), model };
    expect(wireFor(openAiCompatible, target.provider, model, { operation: "embeddings", body }).wire.parseBody).toBe(parseEmbeddingList);
    const chat = wireFor(openAiCompatible, target.provider, model, { operation: "chat", body: { messages: [] } });
    expect(chat.wire.call(target.provider, model, chat.body, false, signal).url).toBe("https://api.example.com/v1/chat/completions");
  });
});
