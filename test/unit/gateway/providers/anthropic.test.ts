import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatCompletionBody, chatStreamEncoder } from "@/lib/gateway/chat-wire";
import { GatewayError } from "@/lib/gateway/errors";
import { anthropic, ANTHROPIC_VERSION, anthropicFailure, endpoint, messageEventDecoder, messagesBody, OPENING_USER_TURN, parseMessage } from "@/lib/gateway/providers/anthropic";
import { adapterFor } from "@/lib/gateway/providers";
import { PROVIDER_KIND_INFO } from "@/lib/gateway/providers/kinds";
import { createHttpClient } from "@/lib/gateway/providers/transport";
import type { ChatEvent, Frame, ModelsIo } from "@/lib/gateway/providers/types";
import { createRedactor } from "@/lib/gateway/redact";
import { inMemoryState } from "@/lib/gateway/state";
import { DEFAULT_PROVIDER_SETTINGS, type GatewayDeps, type ModelConfig, type ProviderConfig } from "@/lib/gateway/types";
import { openUpstream, UpstreamFailure } from "@/lib/gateway/upstream";
import { sendJson, startUpstream, type TestUpstream } from "../../../helpers/upstream";

const KEY = "sk-ant-test-Secret-0123456789";

const provider = (baseUrl: string | null = "https://api.anthropic.com", apiKey: string | null = KEY): ProviderConfig => ({
  id: "p", name: "p", kind: "anthropic", baseUrl, apiKey, settings: DEFAULT_PROVIDER_SETTINGS, egressDenied: null,
});
const model: ModelConfig = {
  id: "m", name: "claude", providerId: "p", upstreamModel: "claude-sonnet-4-5", inputMicrosPerMTok: 0, outputMicrosPerMTok: 0, maxOutputTokens: null,
  maxTokensField: "both", rpmLimit: null, tpmLimit: null, fallbacks: [], endpoints: ["chat"], simulator: null, createdAt: 0,
};

const map = (body: Record<string, unknown>, stream = false) => messagesBody({ model: "claude", ...body }, model, stream);
const user = (content: unknown) => ({ role: "user", content });
const refusal = (body: Record<string, unknown>): GatewayError => {
  try {
    map(body);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error("expected the request to be refused");
};

describe("the kind", () => {
  it("is registered and described for the settings pages", () => {
    expect(adapterFor("anthropic")).toBe(anthropic);
    expect(PROVIDER_KIND_INFO.anthropic).toMatchObject({ label: "Anthropic", remote: true, baseUrlExample: "https://api.anthropic.com", keyHint: "Sent as x-api-key" });
    expect(PROVIDER_KIND_INFO.anthropic.baseUrlHint).toContain("https://api.anthropic.com");
  });
});

describe("URLs and headers", () => {
  it.each([
    ["https://api.anthropic.com", "https://api.anthropic.com/v1/messages"],
    ["https://api.anthropic.com/", "https://api.anthropic.com/v1/messages"],
    ["https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"],
    ["https://api.anthropic.com/v1//", "https://api.anthropic.com/v1/messages"],
    ["https://proxy.example/anthropic", "https://proxy.example/anthropic/v1/messages"],
  ])("%s → %s", (base, url) => {
    expect(endpoint(provider(base), "messages")).toBe(url);
    expect(anthropic.chatCall(provider(base), model, { messages: [user("hi")] }, false, new AbortController().signal).url).toBe(url);
  });

  it("authenticates with x-api-key and the API version, never a bearer token", () => {
    const call = anthropic.chatCall(provider(), model, { messages: [user("hi")] }, true, new AbortController().signal);
    expect(call.headers).toMatchObject({ "x-api-key": KEY, "anthropic-version": ANTHROPIC_VERSION, "content-type": "application/json", accept: "text/event-stream" });
    expect(call.headers.authorization).toBeUndefined();
    expect(JSON.parse(call.body)).toMatchObject({ model: "claude-sonnet-4-5", stream: true });
  });

  it("lists models from /v1/models, one page of the largest size", async () => {
    const asked: Array<[string, Record<string, string>]> = [];
    const io: ModelsIo = {
      get: async (url, headers) => (asked.push([url, headers]), { status: 200, read: async () => "", discard() {} }),
      simulator: async () => new Response(null),
    };
    await anthropic.fetchModels(io, provider("https://api.anthropic.com/v1/"), new AbortController().signal);
    expect(asked[0]![0]).toBe("https://api.anthropic.com/v1/models?limit=1000");
    expect(asked[0]![1]).toMatchObject({ "x-api-key": KEY, "anthropic-version": ANTHROPIC_VERSION });
    const list = JSON.stringify({ data: [{ id: "claude-b", display_name: "B" }, { id: "claude-a", display_name: "A" }], has_more: true, first_id: "claude-b", last_id: "claude-a" });
    expect(anthropic.parseModels(list, createRedactor(KEY))).toEqual(["claude-a", "claude-b"]);
  });
});

describe("request mapping", () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    [
      "system and developer messages become the system prompt, parts concatenated, joined by blank lines",
      { messages: [{ role: "system", content: "Be brief." }, { role: "developer", content: [{ type: "text", text: "Use " }, { type: "text", text: "metric." }] }, user("hi")] },
      { system: "Be brief.\n\nUse metric.", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
    ],
    [
      "consecutive messages of one role are merged, a late system message goes to the system prompt",
      { messages: [user("one"), { role: "system", content: "Late rule." }, user([{ type: "text", text: "two" }]), { role: "assistant", content: "a" }, { role: "assistant", content: "b" }, user("three")] },
      {
        system: "Late rule.",
        messages: [
          { role: "user", content: [{ type: "text", text: "one" }, { type: "text", text: "two" }] },
          { role: "assistant", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
          { role: "user", content: [{ type: "text", text: "three" }] },
        ],
      },
    ],
    [
      "images: a data: URL as base64, any other URL by reference",
      { messages: [user([{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }, { type: "image_url", image_url: { url: "https://img.example/cat.jpg", detail: "low" } }])] },
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              { type: "image", source: { type: "url", url: "https://img.example/cat.jpg" } },
            ],
          },
        ],
      },
    ],
    [
      "assistant tool calls become tool_use blocks; tool results are the user's, merged into one turn with the next user text",
      {
        messages: [
          user("Weather in Lisbon and Porto?"),
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } },
              { id: "toolu_2", type: "function", function: { name: "get_weather", arguments: "" } },
            ],
          },
          { role: "tool", tool_call_id: "toolu_1", content: "18°C" },
          { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "16" }, { type: "text", text: "°C" }] },
          user("Thanks; which is warmer?"),
        ],
      },
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "Weather in Lisbon and Porto?" }] },
          {
            role: "assistant",
            content: [
              { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Lisbon" } },
              { type: "tool_use", id: "toolu_2", name: "get_weather", input: {} },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
              { type: "tool_result", tool_use_id: "toolu_2", content: "16°C" },
              { type: "text", text: "Thanks; which is warmer?" },
            ],
          },
        ],
      },
    ],
    [
      "a conversation that opens with the assistant gets a user turn in front",
      { messages: [{ role: "system", content: "s" }, { role: "assistant", content: "Hello! How can I help?" }, user("Tell me a joke")] },
      {
        system: "s",
        messages: [
          { role: "user", content: [{ type: "text", text: OPENING_USER_TURN }] },
          { role: "assistant", content: [{ type: "text", text: "Hello! How can I help?" }] },
          { role: "user", content: [{ type: "text", text: "Tell me a joke" }] },
        ],
      },
    ],
    [
      "a system prompt alone gets the same user turn",
      { messages: [{ role: "system", content: "Write a haiku." }] },
      { system: "Write a haiku.", messages: [{ role: "user", content: [{ type: "text", text: OPENING_USER_TURN }] }] },
    ],
    [
      "an empty assistant turn is left out and its neighbours merge",
      { messages: [user("a"), { role: "assistant", content: "" }, user("b")] },
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] },
    ],
    [
      "an echoed assistant message's text and refusal parts become its text",
      { messages: [user("a"), { role: "assistant", content: [{ type: "text", text: "No: " }, { type: "refusal", refusal: "I can't help with that." }] }, user("ok")] },
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }] }, { role: "assistant", content: [{ type: "text", text: "No: I can't help with that." }] }, { role: "user", content: [{ type: "text", text: "ok" }] }] },
    ],
    [
      "max_tokens first, then max_completion_tokens",
      { messages: [user("x")], max_tokens: 100, max_completion_tokens: 200 },
      { max_tokens: 100 },
    ],
    ["max_completion_tokens alone", { messages: [user("x")], max_completion_tokens: 200 }, { max_tokens: 200 }],
    ["neither: 4096", { messages: [user("x")] }, { max_tokens: 4096 }],
    [
      "temperature clamped to Anthropic's 0–1, top_p, stop and user carried over",
      { messages: [user("x")], temperature: 1.7, top_p: 0.9, stop: "END", user: "alice" },
      { temperature: 1, top_p: 0.9, stop_sequences: ["END"], metadata: { user_id: "alice" } },
    ],
    ["stop as a list", { messages: [user("x")], stop: ["a", "b"], temperature: 0.3 }, { stop_sequences: ["a", "b"], temperature: 0.3 }],
    [
      "tools: parameters as input_schema, an empty object schema when absent",
      {
        messages: [user("x")],
        tools: [
          { type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } },
          { type: "function", function: { name: "now" } },
        ],
      },
      {
        tools: [
          { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } },
          { name: "now", input_schema: { type: "object", properties: {} } },
        ],
      },
    ],
  ];

  it.each(cases)("%s", (_name, body, expected) => {
    expect(map(body)).toMatchObject(expected);
  });

  const tool = { type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } };
  it.each([
    ["auto", { type: "auto" }],
    ["required", { type: "any" }],
    ["none", { type: "none" }],
    [{ type: "function", function: { name: "f" } }, { type: "tool", name: "f" }],
  ])("tool_choice %j → %j", (choice, expected) => {
    expect(map({ messages: [user("x")], tools: [tool], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it("parallel_tool_calls: false disables parallel tool use on whatever the choice is", () => {
    expect(map({ messages: [user("x")], tools: [tool], parallel_tool_calls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(map({ messages: [user("x")], tools: [tool], tool_choice: "required", parallel_tool_calls: false }).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(map({ messages: [user("x")], tools: [tool], tool_choice: "none", parallel_tool_calls: false }).tool_choice).toEqual({ type: "none" });
    expect(map({ messages: [user("x")], tools: [tool], parallel_tool_calls: true }).tool_choice).toBeUndefined();
  });

  it("sends only the fields Anthropic knows", () => {
    const body = map(
      {
        messages: [{ role: "user", content: "x", name: "alice" }],
        stream: true,
        stream_options: { include_usage: true },
        n: 1,
        presence_penalty: 0.5,
        frequency_penalty: 0.5,
        logprobs: true,
        seed: 7,
        response_format: { type: "json_object" },
        tool_choice: "auto",
        max_tokens: 10,
      },
      true,
    );
    expect(Object.keys(body).sort()).toEqual(["max_tokens", "messages", "model", "stream"]);
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "x" }] }]);
  });

  it.each([
    ["n > 1", { messages: [user("x")], n: 2 }, "n", /does not support n/],
    [
      "tool call arguments that are not JSON",
      { messages: [user("x"), { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{city:" } }] }] },
      "messages[1].tool_calls[0].function.arguments",
      /valid JSON/,
    ],
    [
      "tool call arguments that are not an object",
      { messages: [user("x"), { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "[1]" } }] }] },
      "messages[1].tool_calls[0].function.arguments",
      /JSON object/,
    ],
    ["an audio part", { messages: [user([{ type: "input_audio", input_audio: { data: "", format: "wav" } }])] }, "messages[0].content[0]", /input_audio/],
    ["a data: URL that is not base64", { messages: [user([{ type: "image_url", image_url: { url: "data:image/svg+xml,<svg/>" } }])] }, "messages[0].content[0].image_url.url", /base64/],
    ["the legacy function role", { messages: [user("x"), { role: "function", name: "f", content: "1" }] }, "messages[1].role", /role 'function'/],
    ["a tool message without its call id", { messages: [user("x"), { role: "tool", content: "1" }] }, "messages[1].tool_call_id", /tool_call_id/],
  ])("refuses %s with a 400 naming the param", (_name, body, param, message) => {
    const err = refusal(body);
    expect(err.status).toBe(400);
    expect(err.type).toBe("invalid_request_error");
    expect(err.param).toBe(param);
    expect(err.message).toMatch(message);
  });
});

const events = (f: Frame | null | string) => (typeof f === "object" && f ? f.events : f);

describe("a whole message", () => {
  const message = {
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [
      { type: "thinking", thinking: "The user wants weather.", signature: "sig" },
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Lisbon" } },
      { type: "tool_use", id: "toolu_b", name: "now", input: {} },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 100, cache_creation_input_tokens: 20, cache_read_input_tokens: 300, output_tokens: 42 },
  };

  it("becomes events, the tool calls numbered among themselves", () => {
    const frame = parseMessage(JSON.stringify(message))!;
    expect(frame.raw).toBeNull();
    expect(frame.events).toEqual<ChatEvent[]>([
      { type: "start", id: "msg_01", model: "claude-sonnet-4-5-20250929", created: 0 },
      { type: "delta", choice: 0, kind: "reasoning", text: "The user wants weather." },
      { type: "delta", choice: 0, kind: "content", text: "Let me check." },
      { type: "tool-call", choice: 0, index: 0, id: "toolu_a", name: "get_weather", arguments: '{"city":"Lisbon"}' },
      { type: "tool-call", choice: 0, index: 1, id: "toolu_b", name: "now", arguments: "{}" },
      { type: "finish", choice: 0, reason: "tool_calls" },
      { type: "usage", promptTokens: 420, completionTokens: 42 },
    ]);
  });

  it("reads as an OpenAI chat.completion", () => {
    const body = JSON.parse(chatCompletionBody(parseMessage(JSON.stringify(message))!, () => 1_700_000_000_000));
    expect(body).toMatchObject({ id: "msg_01", object: "chat.completion", created: 1_700_000_000, model: "claude-sonnet-4-5-20250929", usage: { prompt_tokens: 420, completion_tokens: 42, total_tokens: 462 } });
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        role: "assistant",
        content: "Let me check.",
        reasoning_content: "The user wants weather.",
        tool_calls: [
          { id: "toolu_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } },
          { id: "toolu_b", type: "function", function: { name: "now", arguments: "{}" } },
        ],
      },
    });
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
  ])("stop_reason %s → finish_reason %s", (stop, finish) => {
    expect(events(parseMessage(JSON.stringify({ ...message, stop_reason: stop })))).toContainEqual({ type: "finish", choice: 0, reason: finish });
  });

  it("is null when the body is not a message", () => {
    expect(parseMessage("not json")).toBeNull();
    expect(parseMessage(JSON.stringify({ type: "error", error: { type: "api_error", message: "x" } }))).toBeNull();
  });
});

/** A stream as Anthropic sends it, as (event name, data) pairs. */
const recorded: Array<[string, Record<string, unknown>]> = [
  ["message_start", { type: "message_start", message: { id: "msg_02", type: "message", role: "assistant", model: "claude-sonnet-4-5-20250929", content: [], stop_reason: null, usage: { input_tokens: 50, cache_read_input_tokens: 1000, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } }],
  ["ping", { type: "ping" }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Two cities." } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQB" } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["content_block_start", { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Checking " } }],
  ["content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "both." } }],
  ["content_block_stop", { type: "content_block_stop", index: 1 }],
  ["content_block_start", { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_x", name: "get_weather", input: {} } }],
  ["content_block_delta", { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"city": "Li' } }],
  ["content_block_delta", { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: 'sbon"}' } }],
  ["content_block_stop", { type: "content_block_stop", index: 2 }],
  ["content_block_start", { type: "content_block_start", index: 3, content_block: { type: "tool_use", id: "toolu_y", name: "now", input: {} } }],
  ["content_block_stop", { type: "content_block_stop", index: 3 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 61 } }],
  ["message_stop", { type: "message_stop" }],
];

describe("a message stream", () => {
  const decodeAll = (items: Array<[string, Record<string, unknown>]>) => {
    const decoder = messageEventDecoder(createRedactor(KEY));
    return items.map(([event, data]) => decoder.decode({ event, data: JSON.stringify(data) }));
  };

  it("becomes frames: pings and bookkeeping skipped, the answer's identity on the first frame with output", () => {
    const out = decodeAll(recorded).map(events);
    expect(out).toEqual([
      null,
      null,
      null,
      [
        { type: "start", id: "msg_02", model: "claude-sonnet-4-5-20250929", created: 0 },
        { type: "delta", choice: 0, kind: "reasoning", text: "Two cities." },
      ],
      null,
      null,
      null,
      [{ type: "delta", choice: 0, kind: "content", text: "Checking " }],
      [{ type: "delta", choice: 0, kind: "content", text: "both." }],
      null,
      [{ type: "tool-call", choice: 0, index: 0, id: "toolu_x", name: "get_weather", arguments: "" }],
      null,
      [{ type: "tool-call", choice: 0, index: 0, arguments: '{"city": "Li' }],
      [{ type: "tool-call", choice: 0, index: 0, arguments: 'sbon"}' }],
      null,
      [{ type: "tool-call", choice: 0, index: 1, id: "toolu_y", name: "now", arguments: "" }],
      // a call that streamed no input still gets arguments that parse
      [{ type: "tool-call", choice: 0, index: 1, arguments: "{}" }],
      [
        { type: "finish", choice: 0, reason: "tool_calls" },
        { type: "usage", promptTokens: 1050, completionTokens: 61 },
      ],
      "done",
    ]);
    for (const f of decodeAll(recorded)) if (f && typeof f === "object") expect(f.raw).toBeNull();
  });

  it("reads as OpenAI chunks, ending with the usage chunk", () => {
    const encoder = chatStreamEncoder({ includeUsage: true, now: () => 1_700_000_000_000 });
    const wire = decodeAll(recorded)
      .filter((f): f is Frame => !!f && typeof f === "object")
      .map((f) => encoder.frame(f))
      .join("");
    const chunks = wire
      .split("\n\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line.replace(/^data: /, "")));
    for (const c of chunks) expect(c).toMatchObject({ id: "msg_02", object: "chat.completion.chunk", created: 1_700_000_000, model: "claude-sonnet-4-5-20250929" });
    const deltas = chunks.flatMap((c) => c.choices.map((ch: { delta: Record<string, unknown> }) => ch.delta));
    expect(deltas[0]).toEqual({ role: "assistant", reasoning_content: "Two cities." });
    expect(deltas.map((d) => d.content ?? "").join("")).toBe("Checking both.");
    const calls = deltas.flatMap((d) => (d.tool_calls as Array<{ index: number; id?: string; function: { name?: string; arguments: string } }>) ?? []);
    const args = [0, 1].map((i) => calls.filter((c) => c.index === i).map((c) => c.function.arguments).join(""));
    expect(args.map((a) => JSON.parse(a))).toEqual([{ city: "Lisbon" }, {}]);
    expect(calls.filter((c) => c.id).map((c) => [c.id, c.function.name])).toEqual([["toolu_x", "get_weather"], ["toolu_y", "now"]]);
    expect(chunks.at(-2).choices[0].finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1050, completion_tokens: 61, total_tokens: 1111 } });
  });

  it("takes the input counts from message_delta when it repeats them", () => {
    const [, , delta] = decodeAll([
      recorded[0]!,
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "x" } }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { input_tokens: 50, cache_creation_input_tokens: 7, cache_read_input_tokens: 1000, output_tokens: 3 } }],
    ]);
    expect(events(delta!)).toEqual([
      { type: "finish", choice: 0, reason: "stop" },
      { type: "usage", promptTokens: 1057, completionTokens: 3 },
    ]);
  });

  it("turns an error event into an error, the key redacted", () => {
    const [, error] = decodeAll([recorded[0]!, ["error", { type: "error", error: { type: "overloaded_error", message: `Overloaded (key ${KEY})` } }]]);
    expect(events(error!)).toContainEqual({ type: "error", message: "Overloaded (key ••••)", errorType: "upstream_error", code: "overloaded_error", param: null });
  });

  it("reports data that is not JSON", () => {
    expect(messageEventDecoder(createRedactor(KEY)).decode({ event: "content_block_delta", data: '{"type":"content_block_delta",' })).toBe("invalid");
  });
});

describe("error answers", () => {
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    anthropicFailure({ status, headers: new Headers(headers), text: typeof body === "string" ? body : JSON.stringify(body) }, createRedactor(KEY));
  const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } });

  it("a 400 is the client's, with Anthropic's message (redacted) and OpenAI's type", () => {
    const f = answer(400, anthropicError("invalid_request_error", `messages: text content blocks must be non-empty (${KEY})`));
    expect(f).toMatchObject({ retryable: false, fault: false });
    expect(f.error).toMatchObject({ status: 400, type: "invalid_request_error", code: null, message: "messages: text content blocks must be non-empty (••••)" });
  });

  it("a 404 for an unknown model is the client's, Anthropic's type kept as the code", () => {
    const f = answer(404, anthropicError("not_found_error", "model: claude-nope"));
    expect(f).toMatchObject({ retryable: false, fault: false });
    expect(f.error).toMatchObject({ status: 404, type: "invalid_request_error", code: "not_found_error", message: "model: claude-nope" });
  });

  it.each([401, 403])("a %i is the gateway's credentials refused", (status) => {
    const f = answer(status, anthropicError(status === 401 ? "authentication_error" : "permission_error", `invalid x-api-key ${KEY}`));
    expect(f).toMatchObject({ retryable: false, fault: true });
    expect(f.error.status).toBe(502);
    expect(f.error.message).toBe(`The upstream provider refused the gateway's credentials (HTTP ${status}).`);
  });

  it("a 429 is retried, and carries its Retry-After to the client", () => {
    const f = answer(429, anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), { "retry-after": "12" });
    expect(f).toMatchObject({ retryable: true, fault: true });
    expect(f.error).toMatchObject({ status: 429, type: "rate_limit_error", code: "upstream_rate_limited", headers: { "retry-after": "12" } });
  });

  it.each([
    [529, "overloaded_error", "Overloaded"],
    [500, "api_error", "Internal server error"],
  ])("a %i (%s) is a retryable upstream error", (status, type, message) => {
    const f = answer(status, anthropicError(type, message));
    expect(f).toMatchObject({ retryable: true, fault: true });
    expect(f.error).toMatchObject({ status: 502, type: "upstream_error", message: `Upstream error (HTTP ${status}): ${message}` });
  });

  it("a redirect names where it points, the key redacted", () => {
    const f = answer(301, "", { location: `https://elsewhere.example/v1/messages?key=${KEY}` });
    expect(f).toMatchObject({ retryable: false, fault: true });
    expect(f.error.message).toContain("redirect (HTTP 301 to https://elsewhere.example/v1/messages?key=••••)");
  });

  it("a body that is not JSON is worth its status", () => {
    expect(answer(418, "<html>teapot</html>").error).toMatchObject({ status: 418, message: "upstream answered HTTP 418" });
  });
});

describe("through the upstream caller, over loopback HTTP", () => {
  let upstream: TestUpstream;
  let http: ReturnType<typeof createHttpClient>;
  let script: Array<(res: ServerResponse) => void> = [];

  const sse = (res: ServerResponse, items: Array<[string, Record<string, unknown>]>) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(items.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join(""));
  };
  const deps = (): GatewayDeps => ({
    ...inMemoryState({ loadSpend: () => 0 }),
    store: {} as GatewayDeps["store"],
    requestId: () => "req_test",
    now: Date.now,
    random: () => 0,
    sleep: async () => {},
    http: http.client,
    simulator: async () => new Response(null, { status: 500 }),
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const open = (body: Record<string, unknown>, stream: boolean) =>
    openUpstream(deps(), {
      operation: "chat",
      targets: [{ model, provider: provider(upstream.url) }],
      body: { model: "claude", ...body },
      stream,
      clientSignal: new AbortController().signal,
      startedAt: Date.now(),
      tokens: 0,
      grants: [],
    });

  beforeAll(async () => {
    upstream = await startUpstream((_req, res, n) => {
      const next = script.shift();
      if (next) next(res);
      else sendJson(res, 500, { type: "error", error: { type: "api_error", message: `unscripted request ${n}` } });
    });
    http = createHttpClient({ allowlist: null });
  });
  afterAll(async () => {
    await http?.close();
    await upstream?.close();
  });

  it("refuses n > 1 with a clean 400 before calling the upstream", async () => {
    const before = upstream.received.length;
    const err = await open({ messages: [user("x")], n: 3 }, false).catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.error).toMatchObject({ status: 400, type: "invalid_request_error", code: "unsupported_parameter", param: "n" });
    expect(err.attempts).toBe(1);
    expect(upstream.received.length).toBe(before);
  });

  it("sends the mapped body with Anthropic's headers", async () => {
    script = [(res) => sendJson(res, 200, { id: "msg_1", type: "message", model: "claude-sonnet-4-5", content: [{ type: "text", text: "hi" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } })];
    const opened = await open({ messages: [{ role: "system", content: "s" }, user("x")], max_tokens: 5 }, false);
    const received = upstream.received.at(-1)!;
    expect(received.path).toBe("/v1/messages");
    expect(received.headers).toMatchObject({ "x-api-key": KEY, "anthropic-version": ANTHROPIC_VERSION });
    expect(received.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 5, system: "s", messages: [{ role: "user", content: [{ type: "text", text: "x" }] }] });
    expect(opened.kind === "plain" && opened.answer.events).toContainEqual({ type: "usage", promptTokens: 3, completionTokens: 1 });
  });

  it("retries an overloaded 529, then a stream that fails right after message_start", async () => {
    const before = upstream.received.length;
    script = [
      (res) => sendJson(res, 529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
      (res) => sse(res, [recorded[0]!, ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }]]),
      (res) => sse(res, recorded),
    ];
    const opened = await open({ messages: [user("x")] }, true);
    expect(upstream.received.length - before).toBe(3);
    expect(opened.attempts).toBe(3);
    if (opened.kind !== "stream") throw new Error("expected a stream");
    expect(opened.first.events[0]).toMatchObject({ type: "start", id: "msg_02" });
    let item = await opened.frames.next();
    let frames = 1;
    while (!("end" in item)) {
      frames++;
      item = await opened.frames.next();
    }
    expect(item).toEqual({ end: "done" });
    expect(frames).toBe(9);
    opened.frames.release();
    opened.settle(true);
  });
});
