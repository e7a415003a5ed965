/** A provider's own Responses API read into the gateway's events (lib/gateway/providers/responses-api.ts). */
import { describe, expect, it } from "vitest";
import { parseResponseBody, responseEventDecoder, responsesApi } from "@/lib/gateway/providers/responses-api";
import { createRedactor } from "@/lib/gateway/redact";
import { DEFAULT_PROVIDER_SETTINGS, type ModelConfig, type ProviderConfig } from "@/lib/gateway/types";

const KEY = "sk-upstream-secret-0123456789";

function decodeAll(events: Array<Record<string, unknown> | string>) {
  const decoder = responseEventDecoder(createRedactor(KEY));
  return events.map((e) => {
    const data = typeof e === "string" ? e : JSON.stringify(e);
    return decoder.decode({ id: undefined, event: typeof e === "string" ? undefined : (e.type as string), data });
  });
}

const response = (fields: Record<string, unknown>) => ({ id: "resp_up", object: "response", created_at: 1_700_000_000, model: "gpt-up", ...fields });

describe("the stream decoder", () => {
  it("reads text, refusals, reasoning, function calls, usage and the finish; every event stays a frame with its own text", () => {
    const upstream = [
      { type: "response.created", sequence_number: 0, response: response({ status: "in_progress", output: [] }) },
      { type: "response.in_progress", sequence_number: 1, response: response({ status: "in_progress", output: [] }) },
      { type: "response.reasoning_summary_text.delta", sequence_number: 2, item_id: "rs_1", output_index: 0, summary_index: 0, delta: "Pondering" },
      { type: "response.output_text.delta", sequence_number: 3, item_id: "msg_1", output_index: 1, content_index: 0, delta: "Hello" },
      { type: "response.refusal.delta", sequence_number: 4, item_id: "msg_1", output_index: 1, content_index: 1, delta: "No." },
      { type: "response.output_item.added", sequence_number: 5, output_index: 2, item: { id: "fc_1", type: "function_call", call_id: "call_9", name: "get_weather", arguments: "" } },
      { type: "response.function_call_arguments.delta", sequence_number: 6, item_id: "fc_1", output_index: 2, delta: '{"city":"Oslo"}' },
      { type: "response.completed", sequence_number: 7, response: response({ status: "completed", usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19 } }) },
    ];
    const frames = decodeAll(upstream);
    frames.forEach((f, i) => {
      expect(f).toMatchObject({ raw: null, native: { text: JSON.stringify(upstream[i]), event: upstream[i]!.type } });
    });
    expect(frames.flatMap((f) => (typeof f === "object" && f ? f.events : []))).toEqual([
      { type: "start", id: "resp_up", model: "gpt-up", created: 1_700_000_000 },
      { type: "delta", choice: 0, kind: "reasoning", text: "Pondering" },
      { type: "delta", choice: 0, kind: "content", text: "Hello" },
      { type: "delta", choice: 0, kind: "refusal", text: "No." },
      { type: "tool-call", choice: 0, index: 0, id: "call_9", name: "get_weather", arguments: "" },
      { type: "tool-call", choice: 0, index: 0, arguments: '{"city":"Oslo"}' },
      { type: "finish", choice: 0, reason: "tool_calls" },
      { type: "usage", promptTokens: 12, completionTokens: 7 },
    ]);
  });

  it("an incomplete response is a length (or content filter) finish", () => {
    const [length, filter] = decodeAll([
      { type: "response.incomplete", response: response({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage: { input_tokens: 1, output_tokens: 2 } }) },
      { type: "response.incomplete", response: response({ status: "incomplete", incomplete_details: { reason: "content_filter" } }) },
    ]);
    expect(length).toMatchObject({ events: [{ type: "finish", reason: "length" }, { type: "usage", promptTokens: 1, completionTokens: 2 }] });
    expect(filter).toMatchObject({ events: [{ type: "finish", reason: "content_filter" }] });
  });

  it("response.failed and error events are errors, with the provider key redacted", () => {
    const [failed, error] = decodeAll([
      { type: "response.failed", response: response({ status: "failed", error: { code: "server_error", message: `boom with ${KEY}` } }) },
      { type: "error", code: "rate_limit_exceeded", message: "slow down", param: null },
    ]);
    expect(failed).toMatchObject({ events: [{ type: "error", code: "server_error", message: "boom with ••••" }] });
    expect(error).toMatchObject({ events: [{ type: "error", code: "rate_limit_exceeded", message: "slow down" }] });
  });

  it("[DONE] ends the stream; an event that is not JSON is invalid", () => {
    expect(decodeAll(["[DONE]", "{nope"])).toEqual(["done", "invalid"]);
  });
});

describe("a whole Response body", () => {
  it("becomes events and stays the frame's own text", () => {
    const text = JSON.stringify(
      response({
        status: "completed",
        output: [
          { type: "reasoning", id: "rs_1", summary: [], content: [{ type: "reasoning_text", text: "hmm" }] },
          { type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "Hi", annotations: [] }] },
          { type: "function_call", id: "fc_1", call_id: "call_1", name: "f", arguments: "{}" },
        ],
        usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7 },
      }),
    );
    expect(parseResponseBody(text)).toEqual({
      raw: null,
      native: { text, event: null },
      events: [
        { type: "start", id: "resp_up", model: "gpt-up", created: 1_700_000_000 },
        { type: "delta", choice: 0, kind: "reasoning", text: "hmm" },
        { type: "delta", choice: 0, kind: "content", text: "Hi" },
        { type: "tool-call", choice: 0, index: 0, id: "call_1", name: "f", arguments: "{}" },
        { type: "finish", choice: 0, reason: "tool_calls" },
        { type: "usage", promptTokens: 3, completionTokens: 4 },
      ],
    });
  });

  it("is unreadable when it is not a Response", () => {
    expect(parseResponseBody('{"object":"chat.completion"}')).toBeNull();
    expect(parseResponseBody("nope")).toBeNull();
  });
});

describe("the call", () => {
  it("goes to {base}/responses with the upstream's model name, the stream flag and the provider's key", () => {
    const provider: ProviderConfig = { id: "p", name: "p", kind: "openai-compatible", baseUrl: "https://api.example.com/v1/", apiKey: KEY, settings: { ...DEFAULT_PROVIDER_SETTINGS, responsesApi: true }, egressDenied: null };
    const model = { upstreamModel: "gpt-up" } as ModelConfig;
    const call = responsesApi.call(provider, model, { model: "alias", input: "hi", store: false, max_output_tokens: 50 }, true, new AbortController().signal);
    expect(call.url).toBe("https://api.example.com/v1/responses");
    expect(call.headers).toMatchObject({ authorization: `Bearer ${KEY}`, accept: "text/event-stream", "content-type": "application/json" });
    expect(JSON.parse(call.body)).toEqual({ model: "gpt-up", input: "hi", store: false, max_output_tokens: 50, stream: true });
  });
});
