/** The Responses request's validation and its translation to chat completions, row by row of the table in lib/gateway/responses-request.ts. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "@/lib/gateway/errors";
import { parseResponsesRequest, toChatRequest } from "@/lib/gateway/responses-request";

const translate = (body: Record<string, unknown>) => toChatRequest(parseResponsesRequest({ model: "m", ...body }));

function refusal(body: unknown): GatewayError {
  try {
    toChatRequest(parseResponsesRequest(body));
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(body)}`);
}

describe("input and instructions become messages", () => {
  it("a string input is one user message; instructions come first as a system message", () => {
    expect(translate({ input: "Hi there", instructions: "Be brief." })).toEqual({
      model: "m",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi there" },
      ],
    });
  });

  it("message items keep their role; content parts become chat parts", () => {
    const { messages } = translate({
      input: [
        { role: "developer", content: "Answer in French." },
        { type: "message", role: "system", content: [{ type: "input_text", text: "Be kind." }] },
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is this?" },
            { type: "input_image", image_url: "https://example.com/a.png", detail: "low" },
            { type: "input_file", file_data: "data:application/pdf;base64,AAAA", filename: "a.pdf" },
            { type: "input_file", file_id: "file-123" },
          ],
        },
        { role: "assistant", content: "Earlier answer." },
        { type: "message", role: "assistant", id: "msg_1", status: "completed", content: [{ type: "output_text", text: "Said ", annotations: [] }, { type: "output_text", text: "this." }] },
        { role: "assistant", content: [{ type: "refusal", refusal: "I can't." }] },
      ],
    });
    expect(messages).toEqual([
      { role: "developer", content: "Answer in French." },
      { role: "system", content: [{ type: "text", text: "Be kind." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,AAAA", filename: "a.pdf" } },
          { type: "file", file: { file_id: "file-123" } },
        ],
      },
      { role: "assistant", content: "Earlier answer." },
      { role: "assistant", content: "Said this." },
      { role: "assistant", content: null, refusal: "I can't." },
    ]);
  });

  it("function calls join the assistant message before them; their outputs are tool messages; reasoning is left out", () => {
    const { messages } = translate({
      input: [
        { role: "user", content: "Weather in Lisbon and Porto?" },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", call_id: "call_a", name: "get_weather", arguments: '{"city":"Lisbon"}' },
        { type: "function_call", call_id: "call_b", name: "get_weather", arguments: '{"city":"Porto"}' },
        { type: "function_call_output", call_id: "call_a", output: '{"tempC":21}' },
        { type: "function_call_output", call_id: "call_b", output: [{ type: "input_text", text: '{"tempC":18}' }] },
        { type: "function_call", call_id: "call_c", name: "get_time", arguments: "{}" },
        { type: "function_call_output", call_id: "call_c", output: "12:00" },
      ],
    });
    expect(messages).toEqual([
      { role: "user", content: "Weather in Lisbon and Porto?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } },
          { id: "call_b", type: "function", function: { name: "get_weather", arguments: '{"city":"Porto"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: '{"tempC":21}' },
      { role: "tool", tool_call_id: "call_b", content: [{ type: "text", text: '{"tempC":18}' }] },
      { role: "assistant", content: null, tool_calls: [{ id: "call_c", type: "function", function: { name: "get_time", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_c", content: "12:00" },
    ]);
  });
});

describe("tools, formats and sampling fields", () => {
  const weather = { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true };
  const time = { type: "function", name: "get_time", parameters: null, strict: null };

  it("function tools and a function tool_choice", () => {
    const body = translate({ input: "x", tools: [weather, time], tool_choice: { type: "function", name: "get_weather" }, parallel_tool_calls: false });
    expect(body.tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: weather.parameters, strict: true } },
      { type: "function", function: { name: "get_time" } },
    ]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    expect(body.parallel_tool_calls).toBe(false);
  });

  it.each(["none", "auto", "required"])("tool_choice '%s' is the same in chat", (choice) => {
    expect(translate({ input: "x", tools: [weather], tool_choice: choice }).tool_choice).toBe(choice);
  });

  it("allowed_tools narrows the tools and keeps its mode", () => {
    const body = translate({ input: "x", tools: [weather, time], tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "get_time" }] } });
    expect(body.tools).toEqual([{ type: "function", function: { name: "get_time" } }]);
    expect(body.tool_choice).toBe("required");
  });

  it("text.format json_schema becomes response_format json_schema; json_object and text likewise", () => {
    const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false };
    expect(translate({ input: "x", text: { format: { type: "json_schema", name: "person", schema, strict: true, description: "A person" } } }).response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "person", schema, description: "A person", strict: true },
    });
    expect(translate({ input: "x", text: { format: { type: "json_object" } } }).response_format).toEqual({ type: "json_object" });
    expect(translate({ input: "x", text: { format: { type: "text" }, verbosity: "low" } })).toEqual({ model: "m", messages: [{ role: "user", content: "x" }], verbosity: "low" });
  });

  it("max_output_tokens, temperature, top_p, user, reasoning effort and the OpenAI extras map to their chat fields", () => {
    const body = translate({
      input: "x",
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      user: "u-1",
      reasoning: { effort: "low", summary: "auto" },
      safety_identifier: "s-1",
      prompt_cache_key: "k-1",
      service_tier: "flex",
      stream: true,
      // Accepted, and not sent: chat completions has nothing to do with them.
      metadata: { a: "b" },
      include: ["reasoning.encrypted_content"],
      truncation: "disabled",
      store: false,
    });
    expect(body).toEqual({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      stream: true,
      max_completion_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      user: "u-1",
      reasoning_effort: "low",
      safety_identifier: "s-1",
      prompt_cache_key: "k-1",
      service_tier: "flex",
    });
  });
});

describe("refusals: OpenAI's error shape, a 400 naming the parameter", () => {
  const cases: Array<[string, Record<string, unknown>, string | null, string]> = [
    ["store: true", { input: "x", store: true }, "store", "does not keep responses"],
    ["previous_response_id", { input: "x", previous_response_id: "resp_1" }, "previous_response_id", "does not keep responses"],
    ["a conversation", { input: "x", conversation: "conv_1" }, "conversation", "does not keep responses"],
    ["a background response", { input: "x", background: true }, "background", "background"],
    ["a stored prompt", { input: "x", prompt: { id: "pmpt_1" } }, "prompt", "stored prompt"],
    ["no input", {}, "input", "Missing required parameter: 'input'"],
    ["an empty input list", { input: [] }, "input", "input"],
    ["an unknown item type", { input: [{ type: "web_search_call", id: "ws_1" }] }, "input[0].type", "'web_search_call' are not supported"],
    ["an item reference", { input: [{ type: "item_reference", id: "msg_1" }] }, "input[0].type", "does not keep responses"],
    ["a wrong role", { input: [{ role: "tool", content: "x" }] }, "input[0].role", "input[0].role"],
    ["an item with neither type nor role", { input: [{ content: "x" }] }, "input[0].role", "Missing required parameter"],
    ["output_text in a user message", { input: [{ role: "user", content: [{ type: "output_text", text: "x" }] }] }, "input[0].content[0].type", "'output_text'"],
    ["an image in a system message", { input: [{ role: "system", content: [{ type: "input_image", image_url: "https://x/y.png" }] }] }, "input[0].content[0].type", "input_image"],
    ["an image by file id", { input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1", detail: "auto" }] }] }, "input[0].content[0].image_url", "file_id"],
    ["a file by URL", { input: [{ role: "user", content: [{ type: "input_file", file_url: "https://x/y.pdf" }] }] }, "input[0].content[0].file_url", "URL"],
    ["a function call without call_id", { input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input[0].call_id", "Missing required parameter"],
    ["an image in a tool result", { input: [{ type: "function_call_output", call_id: "c", output: [{ type: "input_image", image_url: "https://x/y.png" }] }] }, "input[0].output[0].type", "input_text"],
    ["a built-in tool", { input: "x", tools: [{ type: "web_search" }] }, "tools[0].type", "only function tools"],
    ["file search", { input: "x", tools: [{ type: "function", name: "f", parameters: {} }, { type: "file_search", vector_store_ids: ["vs_1"] }] }, "tools[1].type", "file_search"],
    ["a bad tool name", { input: "x", tools: [{ type: "function", name: "has space" }] }, "tools[0].name", "tools[0].name"],
    ["a built-in tool_choice", { input: "x", tool_choice: { type: "web_search_preview" } }, "tool_choice.type", "web_search_preview"],
    ["a temperature out of range", { input: "x", temperature: 3 }, "temperature", "temperature"],
    ["a negative max_output_tokens", { input: "x", max_output_tokens: -1 }, "max_output_tokens", "max_output_tokens"],
    ["a json_schema without a schema", { input: "x", text: { format: { type: "json_schema", name: "n" } } }, "text.format.schema", "text.format.schema"],
  ];

  it.each(cases)("%s", (_name, body, param, words) => {
    const err = refusal({ model: "m", ...body });
    expect(err.status).toBe(400);
    expect(err.type).toBe("invalid_request_error");
    expect(err.param).toBe(param);
    expect(err.message).toContain(words);
  });

  it("a body that is not an object", () => {
    expect(refusal([1, 2])).toMatchObject({ status: 400, code: "invalid_body" });
  });

  it("store left out or false is served (not stored)", () => {
    expect(() => translate({ input: "x" })).not.toThrow();
    expect(() => translate({ input: "x", store: false })).not.toThrow();
    expect(() => translate({ input: "x", store: null })).not.toThrow();
  });
});
