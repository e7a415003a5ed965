/**
 * An Anthropic provider behind the gateway, driven by the official `openai` client: a loopback
 * server answering like the Messages API stands in for Anthropic; everything else is the built server.
 */
import type { ServerResponse } from "node:http";
import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";
import { provision, sendJson, startUpstream, type Received, type TestUpstream } from "../helpers/upstream";

let server: TestServer;
let upstream: TestUpstream;
let setup: Awaited<ReturnType<typeof provision>>;
let client: OpenAI;
let requests = 0;

const USAGE = { input_tokens: 200, cache_creation_input_tokens: 34, cache_read_input_tokens: 1000, output_tokens: 567 };
// 1234 prompt tokens × $2.50 + 567 completion tokens × $10 per million = 3085 + 5670 micro-USD
const COST_MICROS = 8755;
const WEATHER_TOOL: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

type Block = Record<string, unknown>;
const lastTurn = (req: Received) => (req.body!.messages as Array<{ role: string; content: Block[] }>).at(-1)!;

/** What the fake answers: a tool_use turn when a tool is offered and no result has come back, else text. */
function answerOf(req: Received): { content: Block[]; stop_reason: string } {
  const results = lastTurn(req).content.filter((b) => b.type === "tool_result");
  if (results.length > 0) return { content: [{ type: "text", text: `It is ${String(results[0]!.content)} in Lisbon.` }], stop_reason: "end_turn" };
  if (Array.isArray(req.body!.tools)) {
    return { content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_01A", name: "get_weather", input: { city: "Lisbon" } }], stop_reason: "tool_use" };
  }
  return { content: [{ type: "text", text: "Hello from Claude, over the gateway." }], stop_reason: "end_turn" };
}

function streamAnswer(res: ServerResponse, answer: ReturnType<typeof answerOf>) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const send = (event: string, data: Record<string, unknown>) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  const { output_tokens, ...input } = USAGE;
  send("message_start", { message: { id: "msg_stream", type: "message", role: "assistant", model: "claude-test-20250101", content: [], stop_reason: null, usage: { ...input, output_tokens: 1 } } });
  send("ping", {});
  answer.content.forEach((block, index) => {
    if (block.type === "text") {
      send("content_block_start", { index, content_block: { type: "text", text: "" } });
      for (const word of (block.text as string).split(/(?<= )/)) send("content_block_delta", { index, delta: { type: "text_delta", text: word } });
    } else {
      send("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      for (const piece of [json.slice(0, 5), json.slice(5)]) send("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
    }
    send("content_block_stop", { index });
  });
  send("message_delta", { delta: { stop_reason: answer.stop_reason, stop_sequence: null }, usage: { output_tokens } });
  send("message_stop", {});
  res.end();
}

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.headers["x-api-key"] !== `sk-upstream-secret-value-${setup.provider.name.slice(5)}` || req.headers["anthropic-version"] !== "2023-06-01") {
      return sendJson(res, 401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } });
    }
    if (req.path.startsWith("/v1/models")) {
      return sendJson(res, 200, { data: [{ type: "model", id: "claude-test-20250101", display_name: "Claude Test" }, { type: "model", id: "claude-other", display_name: "Other" }], has_more: false, first_id: "claude-test-20250101", last_id: "claude-other" });
    }
    if (req.path !== "/v1/messages") return sendJson(res, 404, { type: "error", error: { type: "not_found_error", message: "Not found" } });
    if (req.body!.max_tokens === 7) return sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: "max_tokens: seven is unlucky" } });
    const answer = answerOf(req);
    if (req.body!.stream) return streamAnswer(res, answer);
    sendJson(res, 200, { id: "msg_plain", type: "message", role: "assistant", model: "claude-test-20250101", ...answer, stop_sequence: null, usage: USAGE });
  });
  server = await startServer();
  // The base URL without /v1: the adapter adds it.
  setup = await provision(server.admin, { kind: "anthropic", baseUrl: upstream.url, model: { upstreamModel: "claude-test-20250101" } });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: setup.key, maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("an Anthropic provider through the OpenAI door", () => {
  it("answers a plain completion, the system prompt lifted out, and bills Anthropic's usage", async () => {
    requests++;
    const res = await client.chat.completions.create({
      model: setup.model.name,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
      max_tokens: 50,
      presence_penalty: 0.5,
    });
    expect(res.object).toBe("chat.completion");
    expect(res.id).toBe("msg_plain");
    expect(res.choices[0]!.message.content).toBe("Hello from Claude, over the gateway.");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({ prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 });

    const sent = upstream.received.at(-1)!;
    expect(sent.path).toBe("/v1/messages");
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({ model: "claude-test-20250101", max_tokens: 50, system: "Be brief.", messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }] });

    const row = (await server.usageRows(requests)).at(-1);
    expect(row).toMatchObject({ status: "ok", http_status: 200, prompt_tokens: 1234, completion_tokens: 567, cost_micros: COST_MICROS, served_model: setup.model.name, provider_id: setup.provider.id });
  });

  it("streams with include_usage: the text intact, a usage chunk, and [DONE]", async () => {
    requests++;
    const stream = await client.chat.completions.create({
      model: setup.model.name,
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.id).toBe("msg_stream");
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Hello from Claude, over the gateway.");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: 1234, completion_tokens: 567, total_tokens: 1801 });
    expect(upstream.received.at(-1)!.body).toMatchObject({ stream: true });
    expect(upstream.received.at(-1)!.body!.stream_options).toBeUndefined();
    const row = (await server.usageRows(requests)).at(-1);
    expect(row).toMatchObject({ status: "ok", stream: 1, prompt_tokens: 1234, completion_tokens: 567, cost_micros: COST_MICROS });

    // The wire itself, as the client library does not show the end marker.
    requests++;
    const raw = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: setup.model.name, messages: [{ role: "user", content: "Say hello" }], stream: true, stream_options: { include_usage: true } }),
    });
    const wire = await raw.text();
    expect(wire.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(wire).not.toContain("event:");
    await server.usageRows(requests);
  });

  it("round-trips a function call: tool_calls in OpenAI's shape, the result sent back as a tool_result", async () => {
    requests++;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Lisbon?" }];
    const first = await client.chat.completions.create({ model: setup.model.name, messages, tools: [WEATHER_TOOL], tool_choice: "auto" });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const message = first.choices[0]!.message;
    expect(message.content).toBe("Let me look.");
    expect(message.tool_calls).toEqual([{ id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }]);
    expect(upstream.received.at(-1)!.body).toMatchObject({
      tools: [{ name: "get_weather", description: "Current weather for a city", input_schema: WEATHER_TOOL.function.parameters }],
      tool_choice: { type: "auto" },
    });

    requests++;
    const call = message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: setup.model.name,
      messages: [...messages, message, { role: "tool", tool_call_id: call.id, content: "18°C" }],
      tools: [WEATHER_TOOL],
    });
    expect(second.choices[0]!.message.content).toBe("It is 18°C in Lisbon.");
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect(upstream.received.at(-1)!.body!.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Lisbon?" }] },
      { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_01A", name: "get_weather", input: { city: "Lisbon" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A", content: "18°C" }] },
    ]);
  });

  it("streams a function call as OpenAI tool-call deltas", async () => {
    requests++;
    const stream = await client.chat.completions.create({
      model: setup.model.name,
      messages: [{ role: "user", content: "Weather in Lisbon?" }],
      tools: [WEATHER_TOOL],
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const d of chunk.choices[0]?.delta?.tool_calls ?? []) {
        const c = calls.get(d.index) ?? { arguments: "" };
        if (d.id) c.id = d.id;
        if (d.function?.name) c.name = d.function.name;
        c.arguments += d.function?.arguments ?? "";
        calls.set(d.index, c);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect([...calls.values()]).toEqual([{ id: "toolu_01A", name: "get_weather", arguments: '{"city":"Lisbon"}' }]);
    expect(finish).toBe("tool_calls");
  });

  it("refuses n > 1 with a 400 and never calls Anthropic", async () => {
    requests++;
    const before = upstream.received.length;
    const err = await client.chat.completions.create({ model: setup.model.name, messages: [{ role: "user", content: "hi" }], n: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.status).toBe(400);
    expect(err.param).toBe("n");
    expect(err.message).toContain("Anthropic does not support n > 1");
    expect(upstream.received.length).toBe(before);
    const row = (await server.usageRows(requests)).at(-1);
    expect(row).toMatchObject({ http_status: 400, attempts: 1 });
  });

  it("passes Anthropic's own 400 on in OpenAI's error shape", async () => {
    requests++;
    const err = await client.chat.completions.create({ model: setup.model.name, messages: [{ role: "user", content: "hi" }], max_tokens: 7 }).catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.error).toMatchObject({ message: "max_tokens: seven is unlucky", type: "invalid_request_error" });
    await server.usageRows(requests);
  });

  it("Test connection lists Anthropic's models", async () => {
    const res = await server.admin(`/api/admin/providers/${setup.provider.id}/test`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, status: 200, modelCount: 2, models: ["claude-other", "claude-test-20250101"] });
    const asked = upstream.received.at(-1)!;
    expect(asked.path).toBe("/v1/models?limit=1000");
    expect(asked.headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("shows the kind to admins", async () => {
    const { data } = (await (await server.admin("/api/admin/providers")).json()) as { data: Array<Record<string, unknown>> };
    expect(data.find((p) => p.id === setup.provider.id)).toMatchObject({ kind: "anthropic", baseUrl: upstream.url });
  });
});
