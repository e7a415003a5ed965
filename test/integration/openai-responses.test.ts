/**
 * The built server's /v1/responses driven by the official `openai` client: against the built-in
 * simulator, against a chat-only upstream on loopback (which sees the translated chat request),
 * and passed through to a loopback upstream that speaks the Responses API itself.
 */
import type { ServerResponse } from "node:http";
import OpenAI, { APIError, BadRequestError } from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startServer, type TestServer } from "../helpers/server";
import { chunk, completion, openSse, provision, sendJson, startUpstream, type Received, type TestUpstream } from "../helpers/upstream";

let server: TestServer;
let sim: OpenAI;
let chatOnly: TestUpstream;
let native: TestUpstream;
let chatClient: OpenAI;
let chatModel: string;
let nativeClient: OpenAI;
let nativeModel: string;
let requests = 0;

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

/** The chat-only upstream: a JSON reply when asked for one, a tool call when a tool is forced, else text. */
function chatUpstream(req: Received, res: ServerResponse) {
  const body = req.body as Record<string, any>;
  const format = body.response_format as { type?: string } | undefined;
  const forced = typeof body.tool_choice === "object" ? (body.tool_choice as { function: { name: string } }).function.name : null;
  if (!body.stream) {
    const last = (body.messages as Array<Record<string, unknown>>).at(-1)!;
    if (last.role === "tool") return sendJson(res, 200, completion("up-model", `The tool said ${String(last.content)}.`, { prompt_tokens: 70, completion_tokens: 8 }));
    if (forced) {
      const message = { role: "assistant", content: null, tool_calls: [{ id: "call_up1", type: "function", function: { name: forced, arguments: '{"city":"Porto"}' } }] };
      return sendJson(res, 200, { ...completion("up-model", "", { prompt_tokens: 50, completion_tokens: 9 }), choices: [{ index: 0, message, finish_reason: "tool_calls" }] });
    }
    return sendJson(res, 200, completion("up-model", format?.type === "json_schema" ? '{"city":"Porto","tempC":19}' : "Plain reply.", { prompt_tokens: 40, completion_tokens: 7 }));
  }
  const send = openSse(res);
  send(chunk("up-model", { role: "assistant", content: "Streamed" }));
  send(chunk("up-model", { content: " reply." }));
  send(chunk("up-model", {}, "stop"));
  send({ ...chunk("up-model", {}), choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } });
  send("[DONE]");
  res.end();
}

const upstreamResponse = (status: string, output: unknown[], usage: unknown) => ({ id: "resp_native1", object: "response", created_at: 1_700_000_000, status, model: "up-model", output, usage });
const MESSAGE = { id: "msg_native1", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Native hello", annotations: [], logprobs: [] }] };
const USAGE = { input_tokens: 21, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 23 };
const NATIVE_EVENTS = [
  { type: "response.created", sequence_number: 0, response: upstreamResponse("in_progress", [], null) },
  { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { ...MESSAGE, status: "in_progress", content: [] } },
  { type: "response.content_part.added", sequence_number: 2, item_id: "msg_native1", output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } },
  { type: "response.output_text.delta", sequence_number: 3, item_id: "msg_native1", output_index: 0, content_index: 0, delta: "Native", logprobs: [], obfuscation: "q1" },
  { type: "response.output_text.delta", sequence_number: 4, item_id: "msg_native1", output_index: 0, content_index: 0, delta: " hello", logprobs: [], obfuscation: "q2" },
  { type: "response.output_text.done", sequence_number: 5, item_id: "msg_native1", output_index: 0, content_index: 0, text: "Native hello", logprobs: [] },
  { type: "response.content_part.done", sequence_number: 6, item_id: "msg_native1", output_index: 0, content_index: 0, part: MESSAGE.content[0] },
  { type: "response.output_item.done", sequence_number: 7, output_index: 0, item: MESSAGE },
  { type: "response.completed", sequence_number: 8, response: upstreamResponse("completed", [MESSAGE], USAGE) },
];

/** An upstream speaking the Responses API: its own events, or its own Response object. */
function responsesUpstream(req: Received, res: ServerResponse) {
  if (!(req.body as { stream?: boolean }).stream) return sendJson(res, 200, upstreamResponse("completed", [MESSAGE], USAGE));
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const e of NATIVE_EVENTS) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  res.end();
}

beforeAll(async () => {
  [chatOnly, native] = await Promise.all([startUpstream(chatUpstream), startUpstream(responsesUpstream)]);
  server = await startServer({ env: { SWITCHYARD_DEMO: "1", SWITCHYARD_MAX_BODY_BYTES: "65536" } });
  const key = /Demo API key \(shown once\): (sk-sy-\S+)/.exec(server.output())?.[1];
  expect(key, "the demo key is printed at first start").toBeTruthy();
  sim = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key!, maxRetries: 0 });

  const chat = await provision(server.admin, { baseUrl: chatOnly.baseUrl, suffix: "chat" });
  chatClient = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: chat.key, maxRetries: 0 });
  chatModel = chat.model.name as string;
  const nat = await provision(server.admin, { baseUrl: native.baseUrl, suffix: "native", providerSettings: { responsesApi: true } });
  expect(nat.provider.settings.responsesApi).toBe(true);
  nativeClient = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: nat.key, maxRetries: 0 });
  nativeModel = nat.model.name as string;
});

afterAll(async () => {
  await server?.stop();
  await Promise.all([chatOnly?.close(), native?.close()]);
});

describe("against the built-in simulator", () => {
  it("responses.create answers with output_text and usage", async () => {
    requests++;
    const res = await sim.responses.create({ model: "sim-fast", instructions: "Be brief.", input: "Tell me about trains" });
    expect(res).toMatchObject({ object: "response", status: "completed", model: "sim-fast", id: expect.stringMatching(/^resp_[0-9a-f]{32}$/) });
    expect(res.output_text.length).toBeGreaterThan(10);
    expect(res.usage!.total_tokens).toBe(res.usage!.input_tokens + res.usage!.output_tokens);
  });

  it("responses.stream delivers text deltas as they come and a final response with usage", async () => {
    requests++;
    const stream = sim.responses.stream({ model: "sim-balanced", input: [{ role: "user", content: "Describe a switchyard at dawn" }] });
    let text = "";
    let deltas = 0;
    const types = new Set<string>();
    stream.on("event", (e) => types.add(e.type));
    stream.on("response.output_text.delta", (e) => {
      deltas++;
      text += e.delta;
    });
    const final = await stream.finalResponse();
    expect(deltas).toBeGreaterThan(10);
    expect(final.output_text).toBe(text);
    expect(final.usage!.output_tokens).toBe(deltas);
    expect([...types]).toEqual(
      expect.arrayContaining(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]),
    );
  });

  it("round-trips a function call", async () => {
    requests += 2;
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Use get_weather for Lisbon please" }];
    const first = await sim.responses.create({ model: "sim-fast", input, tools: [weatherTool] });
    const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === "function_call");
    expect(call).toMatchObject({ name: "get_weather", status: "completed", call_id: expect.stringMatching(/^call_/), id: expect.stringMatching(/^fc_/) });
    expect(JSON.parse(call!.arguments)).toHaveProperty("city");

    const second = await sim.responses.stream({ model: "sim-fast", input: [...input, call!, { type: "function_call_output", call_id: call!.call_id, output: '{"tempC": 21, "sky": "clear"}' }], tools: [weatherTool] }).finalResponse();
    expect(second.status).toBe("completed");
    expect(second.output_text).toContain("tempC");
  });

  it("answers text.format json_schema with JSON the SDK parses", async () => {
    requests++;
    const Weather = z.object({ city: z.string(), tempC: z.number(), sunny: z.boolean() });
    const res = await sim.responses.parse({ model: "sim-fast", input: "Weather for Lisbon", text: { format: zodTextFormat(Weather, "weather") } });
    expect(Weather.parse(res.output_parsed)).toEqual(res.output_parsed);
  });
});

describe("through the translation to a chat-only upstream", () => {
  it("sends the chat request: system from instructions, tools, tool_choice, response_format json_schema, max_tokens", async () => {
    requests++;
    const schema = { type: "object", properties: { city: { type: "string" }, tempC: { type: "number" } }, required: ["city", "tempC"], additionalProperties: false };
    const res = await chatClient.responses.create({
      model: chatModel,
      instructions: "Answer as JSON.",
      input: [{ role: "user", content: [{ type: "input_text", text: "Weather in Porto?" }] }],
      tools: [weatherTool],
      tool_choice: "none",
      text: { format: { type: "json_schema", name: "weather", schema, strict: true } },
      max_output_tokens: 200,
      temperature: 0.5,
    });
    const got = chatOnly.received.at(-1)!;
    expect(got.path).toBe("/v1/chat/completions");
    expect(got.body).toEqual({
      model: "up-model",
      messages: [
        { role: "system", content: "Answer as JSON." },
        { role: "user", content: [{ type: "text", text: "Weather in Porto?" }] },
      ],
      tools: [{ type: "function", function: { name: "get_weather", description: "Current weather for a city", parameters: weatherTool.parameters, strict: true } }],
      tool_choice: "none",
      response_format: { type: "json_schema", json_schema: { name: "weather", schema, strict: true } },
      max_tokens: 200,
      max_completion_tokens: 200,
      temperature: 0.5,
    });
    expect(JSON.parse(res.output_text)).toEqual({ city: "Porto", tempC: 19 });
    expect(res.usage).toMatchObject({ input_tokens: 40, output_tokens: 7 });
  });

  it("round-trips a forced function call: a function_call item back, its output up as a tool message", async () => {
    requests += 2;
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather?" }];
    const res = await chatClient.responses.create({ model: chatModel, input, tools: [weatherTool], tool_choice: { type: "function", name: "get_weather" } });
    expect(chatOnly.received.at(-1)!.body).toMatchObject({ tool_choice: { type: "function", function: { name: "get_weather" } } });
    expect(res.output).toEqual([expect.objectContaining({ type: "function_call", call_id: "call_up1", name: "get_weather", arguments: '{"city":"Porto"}' })]);

    const next = await chatClient.responses.create({ model: chatModel, input: [...input, ...(res.output as OpenAI.Responses.ResponseFunctionToolCall[]), { type: "function_call_output", call_id: "call_up1", output: "19C" }], tools: [weatherTool] });
    expect(chatOnly.received.at(-1)!.body).toMatchObject({
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_up1", type: "function", function: { name: "get_weather", arguments: '{"city":"Porto"}' } }] },
        { role: "tool", tool_call_id: "call_up1", content: "19C" },
      ],
    });
    expect(next.output_text).toBe("The tool said 19C.");
  });

  it("streams the chat upstream's answer as Responses events", async () => {
    requests++;
    const final = await chatClient.responses.stream({ model: chatModel, input: "Stream please" }).finalResponse();
    expect(chatOnly.received.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(final).toMatchObject({ status: "completed", output_text: "Streamed reply.", usage: { input_tokens: 12, output_tokens: 3 } });
  });
});

describe("passed through to an upstream that speaks the Responses API", () => {
  it("relays its own events and body; the upstream gets the client's request with the model, output limit and store set", async () => {
    requests += 2;
    const stream = nativeClient.responses.stream({ model: nativeModel, input: "Hello", instructions: "Be nice." });
    const seen: Array<Record<string, unknown>> = [];
    stream.on("event", (e) => seen.push(e as never));
    const final = await stream.finalResponse();
    expect(final).toMatchObject({ id: "resp_native1", output_text: "Native hello", usage: { input_tokens: 21 } });
    expect(seen.map((e) => e.sequence_number)).toEqual(NATIVE_EVENTS.map((e) => e.sequence_number));
    expect(seen.find((e) => e.type === "response.output_text.delta")).toMatchObject({ obfuscation: "q1" });

    const got = native.received.at(-1)!;
    expect(got.path).toBe("/v1/responses");
    expect(got.headers.authorization).toBe("Bearer sk-upstream-secret-value-native");
    // The team has no budget and neither the client nor the model set a limit: none is added.
    expect(got.body).toEqual({ model: "up-model", input: "Hello", instructions: "Be nice.", stream: true, store: false });

    const plain = await nativeClient.responses.create({ model: nativeModel, input: "Hello", max_output_tokens: 64 });
    expect(plain).toMatchObject({ id: "resp_native1", output_text: "Native hello" });
    expect(native.received.at(-1)!.body).toMatchObject({ stream: false, store: false, max_output_tokens: 64 });
  });
});

describe("bad input", () => {
  it("gets OpenAI's error shape and a 4xx the SDK raises as its own errors", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ input: [{ type: "file_search_call", id: "fs_1" }] }, "input[0].type"],
      [{ input: [{ role: "tool", content: "x" }] }, "input[0].role"],
      [{ input: "x", previous_response_id: "resp_123" }, "previous_response_id"],
      [{ input: "x", store: true }, "store"],
      [{ input: "x", tools: [{ type: "web_search" }] }, "tools[0].type"],
    ];
    // The cases and the store: true message check; a body over the cap is refused by the server
    // before the gateway reads it, so it leaves no usage row.
    requests += cases.length + 1;
    for (const [body, param] of cases) {
      const err = await sim.responses.create({ model: "sim-fast", ...body } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err).toMatchObject({ status: 400, param, type: "invalid_request_error" });
    }
    const stored = await sim.responses.create({ model: "sim-fast", input: "x", store: true }).catch((e: unknown) => e);
    expect((stored as APIError).message).toContain("does not keep responses");

    const big = await sim.responses.create({ model: "sim-fast", input: "x".repeat(70_000) }).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(APIError);
    expect(big).toMatchObject({ status: 413, code: "request_too_large" });
  });

  it("left exactly one usage row per request, each with endpoint responses", async () => {
    const rows = await server.usageRows(requests);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.db().prepare("select count(*) n from usage").get()).toEqual({ n: requests });
    expect(new Set(rows.map((r) => r.endpoint))).toEqual(new Set(["responses"]));
    expect(rows.filter((r) => r.status === "ok")).toHaveLength(requests - 6);
    expect(rows.filter((r) => r.status === "rejected").map((r) => r.http_status)).toEqual([400, 400, 400, 400, 400, 400]);
  });
});
