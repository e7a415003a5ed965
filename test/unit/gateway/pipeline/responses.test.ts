/**
 * POST /v1/responses through the whole pipeline, in-process, with the official `openai` client as
 * the caller: translated to a chat-completions upstream (plain, streamed, a function-call round
 * trip, JSON-schema output), every way a stream ends, budgets, route aliases, fallbacks and
 * refusals, one usage row per request with endpoint "responses"; and passed through as it is to a
 * provider that speaks the Responses API.
 */
import OpenAI, { APIError, BadRequestError, RateLimitError } from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRoute } from "@/lib/admin/routes";
import { costMicros } from "@/lib/gateway/cost";
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import { parseResponsesRequest, toChatRequest } from "@/lib/gateway/responses-request";
import { countText } from "@/lib/gateway/tokens";
import { chunk, completion, controlledStream, errorAnswer, sseAnswer, usageChunk, type ControlledStream } from "../../../helpers/fake-upstream";
import { createHarness, gatewayRequest, jsonOf, readStream, until, UPSTREAM_KEY, type Harness } from "../../../helpers/gateway";

let h: Harness;
let key: string;
let teamId: string;
let primaryId: string;
let client: OpenAI;

const PRICES = { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 };
const estimateOf = (body: Record<string, unknown>) => estimatePromptTokens(toChatRequest(parseResponsesRequest({ model: "primary", ...body })));

interface Sent {
  event: string;
  data: Record<string, any>;
}

function events(wire: string): Sent[] {
  return wire
    .split("\n\n")
    .filter(Boolean)
    .map((block) => ({ event: /^event: (.+)$/m.exec(block)?.[1] ?? "", data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) }));
}

/** The text of the output_text deltas of a Responses stream. */
const deltas = (wire: string) =>
  events(wire)
    .filter((e) => e.event === "response.output_text.delta")
    .map((e) => e.data.delta)
    .join("");

beforeEach(async () => {
  h = createHarness();
  await h.model("fallback");
  primaryId = (await h.model("primary", { fallbacks: ["fallback"] })).id;
  const team = await h.team({ dailyBudgetUsd: 5 });
  teamId = team.id;
  key = await h.key(team.id);
  client = h.client(key);
});

afterEach(() => h.close());

describe("translated to a chat-completions upstream", () => {
  it("answers responses.create with a Response: the upstream got the chat request, the row says endpoint responses", async () => {
    h.upstream.handle("primary", () => completion("Hello there", { prompt_tokens: 20, completion_tokens: 3 }));
    const res = await client.responses.create({ model: "primary", instructions: "Be brief.", input: "Say hello", max_output_tokens: 100, temperature: 0.3 });

    const call = h.upstream.calls[0]!;
    expect(call.url).toBe("http://upstream-2.test/v1/chat/completions");
    expect(call.body).toEqual({
      model: "primary",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Say hello" },
      ],
      max_tokens: 100,
      max_completion_tokens: 100,
      temperature: 0.3,
    });
    expect(res).toMatchObject({ id: "resp_0001", object: "response", status: "completed", model: "primary", output_text: "Hello there", instructions: "Be brief.", max_output_tokens: 100 });
    expect(res.output[0]).toMatchObject({ id: "msg_0001_0", type: "message", role: "assistant" });
    expect(res.usage).toMatchObject({ input_tokens: 20, output_tokens: 3, total_tokens: 23 });
    expect(await h.rows()).toEqual([
      expect.objectContaining({ endpoint: "responses", status: "ok", http_status: 200, stream: 0, requested_model: "primary", served_model: "primary", prompt_tokens: 20, completion_tokens: 3, cost_micros: costMicros(PRICES, 20, 3) }),
    ]);
  });

  it("streams through responses.stream: the SDK's helper accepts every event, output_text and usage come through", async () => {
    h.upstream.handle("primary", () => sseAnswer([chunk({ role: "assistant", content: "Hello" }), chunk({ content: " world" }), chunk({}, "stop"), usageChunk(9, 2), "[DONE]"]));
    const stream = client.responses.stream({ model: "primary", input: "hi" });
    const seen: string[] = [];
    const pieces: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    stream.on("response.output_text.delta", (e) => pieces.push(e.delta));
    const final = await stream.finalResponse();

    expect(h.upstream.calls[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(seen[0]).toBe("response.created");
    expect(seen.at(-1)).toBe("response.completed");
    expect(pieces).toEqual(["Hello", " world"]);
    expect(final).toMatchObject({ status: "completed", output_text: "Hello world", usage: { input_tokens: 9, output_tokens: 2 } });
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", status: "ok", stream: 1, prompt_tokens: 9, completion_tokens: 2, ttft_ms: 0 })]);
  });

  it("round-trips a function call: the call comes back as a function_call item, its output goes up as a tool message", async () => {
    const tools: OpenAI.Responses.FunctionTool[] = [
      { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }, strict: true },
    ];
    h.upstream.handle("primary", () =>
      sseAnswer([
        chunk({ role: "assistant", tool_calls: [{ index: 0, id: "call_w1", type: "function", function: { name: "get_weather", arguments: "" } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Lisbon"}' } }] }),
        chunk({}, "tool_calls"),
        usageChunk(40, 8),
        "[DONE]",
      ]),
    );
    const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather in Lisbon?" }];
    const first = await client.responses.stream({ model: "primary", input, tools, tool_choice: "auto" }).finalResponse();
    const call = first.output.find((o) => o.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", call_id: "call_w1", name: "get_weather", arguments: '{"city":"Lisbon"}', status: "completed" });
    expect(h.upstream.calls[0]!.body).toMatchObject({ tools: [{ type: "function", function: { name: "get_weather", strict: true } }], tool_choice: "auto" });

    h.upstream.handle("primary", () => completion("It is 21°C in Lisbon.", { prompt_tokens: 60, completion_tokens: 9 }));
    const second = await client.responses.create({
      model: "primary",
      input: [...input, ...first.output.filter((o) => o.type === "function_call"), { type: "function_call_output", call_id: "call_w1", output: '{"tempC":21}' }],
      tools,
    });
    expect(h.upstream.calls[1]!.body.messages).toEqual([
      { role: "user", content: "Weather in Lisbon?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_w1", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }] },
      { role: "tool", tool_call_id: "call_w1", content: '{"tempC":21}' },
    ]);
    expect(second.output_text).toBe("It is 21°C in Lisbon.");
    expect((await h.rows()).map((r) => [r.endpoint, r.status])).toEqual([
      ["responses", "ok"],
      ["responses", "ok"],
    ]);
  });

  it("asks for JSON-schema output with text.format, sent as response_format json_schema", async () => {
    const schema = { type: "object", properties: { city: { type: "string" }, tempC: { type: "number" } }, required: ["city", "tempC"], additionalProperties: false };
    h.upstream.handle("primary", () => completion('{"city":"Oslo","tempC":4}', { prompt_tokens: 30, completion_tokens: 10 }));
    const res = await client.responses.create({ model: "primary", input: "Weather in Oslo as JSON", text: { format: { type: "json_schema", name: "weather", schema, strict: true } } });

    expect(h.upstream.calls[0]!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "weather", schema, strict: true } });
    expect(JSON.parse(res.output_text)).toEqual({ city: "Oslo", tempC: 4 });
    expect(res.text).toMatchObject({ format: { type: "json_schema", name: "weather" } });
  });
});

describe("every way a stream ends", () => {
  const stream = async (body: Record<string, unknown> = {}) => {
    const res = await h.responses(key, { stream: true, ...body });
    expect(res.status).toBe(200);
    return readStream(res);
  };

  it("an upstream that stops at the limit: response.incomplete (max_output_tokens), a clean end, row ok", async () => {
    h.upstream.handle("primary", () => sseAnswer([chunk({ role: "assistant", content: "Once upon" }), chunk({}, "length"), usageChunk(5, 2), "[DONE]"]));
    const sent = events(await stream({ max_output_tokens: 2 }));

    expect(sent.at(-1)).toMatchObject({ event: "response.incomplete", data: { response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } } });
    expect(sent.map((e) => e.event)).not.toContain("error");
    expect((await h.rows())[0]).toMatchObject({ endpoint: "responses", status: "ok", completion_tokens: 2 });
  });

  it("an upstream that ignores the ceiling is cut there: response.incomplete, then an error event naming the budget; the call is aborted", async () => {
    const words = ["One", " two", " three", " four", " five", " six", " seven", " eight"];
    let upstream!: ControlledStream;
    h.upstream.handle("primary", () => {
      upstream = controlledStream();
      upstream.send(chunk({ role: "assistant", content: words[0] }));
      for (const w of words.slice(1)) upstream.send(chunk({ content: w }));
      return upstream.response;
    });
    const wire = await stream({ max_output_tokens: 5 });

    expect(h.upstream.calls[0]!.body).toMatchObject({ max_tokens: 5, max_completion_tokens: 5 });
    const relayed = words.slice(0, 5).join("");
    expect(deltas(wire)).toBe(relayed);
    const sent = events(wire);
    expect(sent.slice(-2).map((e) => e.event)).toEqual(["response.incomplete", "error"]);
    expect(sent.at(-2)!.data.response).toMatchObject({ incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete", content: [{ text: relayed }] }] });
    expect(sent.at(-1)!.data).toMatchObject({ code: "output_ceiling_reached", message: expect.stringContaining("5 output tokens, the most this request's budget reservation covers") });
    expect(upstream.cancelled).toBe(true);
    const prompt = estimateOf({ input: "hello", max_output_tokens: 5 });
    expect((await h.rows())[0]).toMatchObject({ endpoint: "responses", status: "error", http_status: 502, error_type: "output_ceiling_reached", completion_tokens: 5, cost_micros: costMicros(PRICES, prompt, 5) });
  });

  it("an upstream error mid-stream: response.failed with the (redacted) error, then an error event; never response.completed", async () => {
    h.upstream.handle("primary", () =>
      sseAnswer([chunk({ role: "assistant", content: "Hello" }), { error: { message: `crashed (key ${UPSTREAM_KEY})`, type: "server_error", code: "overloaded", param: null } }, chunk({}, "stop"), "[DONE]"]),
    );
    const wire = await stream();
    const sent = events(wire);

    expect(wire).not.toContain(UPSTREAM_KEY);
    expect(sent.map((e) => e.event)).not.toContain("response.completed");
    expect(sent.slice(-2).map((e) => e.event)).toEqual(["response.failed", "error"]);
    expect(sent.at(-2)!.data.response).toMatchObject({ status: "failed", error: { code: "overloaded", message: "crashed (key ••••)" }, output: [{ status: "incomplete" }] });
    expect((await h.rows())[0]).toMatchObject({ endpoint: "responses", status: "error", http_status: 502, error_type: "upstream_error", completion_tokens: countText("Hello") });

    // The SDK's stream helper raises it.
    const err = await client.responses.stream({ model: "primary", input: "hi" }).finalResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain("crashed");
  });

  it("an upstream that closes before it finished: response.failed (stream_cut)", async () => {
    h.upstream.handle("primary", () => sseAnswer([chunk({ role: "assistant", content: "Hel" })]));
    const sent = events(await stream());
    expect(sent.at(-2)!.data.response.error).toEqual({ code: "stream_cut", message: "The upstream closed the stream before it finished." });
    expect((await h.rows())[0]).toMatchObject({ status: "error", error_type: "stream_cut" });
  });

  it("a client that goes away mid-stream aborts the upstream; the row bills what was relayed", async () => {
    let upstream!: ControlledStream;
    h.upstream.handle("primary", () => {
      upstream = controlledStream();
      upstream.send(chunk({ role: "assistant", content: "The quick" }));
      return upstream.response;
    });
    const gone = new AbortController();
    const res = await h.responses(key, { stream: true }, { signal: gone.signal });
    if (!("stream" in res)) throw new Error("expected a stream");
    expect(deltas((await res.stream.next())!)).toBe("The quick");
    res.stream.cancel();

    expect(upstream.cancelled).toBe(true);
    expect(await res.stream.next()).toBeNull();
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", status: "aborted", http_status: 499, error_type: "client_closed", completion_tokens: countText("The quick") })]);
    expect(h.gateway.budgets.outstanding(teamId)).toBe(0);
  });
});

describe("the same limits, routes and fallbacks as chat", () => {
  it("reserves the translated request's prompt estimate plus the output ceiling against the budget", async () => {
    const held: Array<() => void> = [];
    h.upstream.handle("primary", () => new Promise<Response>((resolve) => held.push(() => resolve(completion("ok", { prompt_tokens: 10, completion_tokens: 1 })))));
    const body = { instructions: "Be brief.", input: [{ role: "user" as const, content: "Hi" }], max_output_tokens: 300 };
    const pending = client.responses.create({ model: "primary", ...body });
    await until(() => held.length === 1, "the call to reach the upstream");

    const snapshot = await h.gateway.budgets.snapshot({ id: teamId, dailyBudgetMicros: 5_000_000, monthlyBudgetMicros: null, alertThresholdPct: 80 }, h.clock.now());
    // The fallback has the same prices, so the worst case is the primary's.
    expect(snapshot.day.reservedMicros).toBe(costMicros(PRICES, estimateOf(body), 300));
    held[0]!();
    await pending;
    expect(h.gateway.budgets.outstanding(teamId)).toBe(0);
  });

  it("refuses a request over the team's budget with 429 insufficient_quota and a budget_exceeded row", async () => {
    const poor = await h.team({ dailyBudgetUsd: 0.000001 });
    const err = await h.client(await h.key(poor.id)).responses.create({ model: "primary", input: "hi" }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "budget_exceeded", type: "insufficient_quota" });
    expect(h.upstream.calls).toHaveLength(0);
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", status: "budget_exceeded", http_status: 429, attempts: 0 })]);
  });

  it("takes a route alias as its model", async () => {
    await h.model("candidate");
    const route = await createRoute(h.admin, { name: "assistant", control: "primary", candidate: "candidate", candidateWeight: 100 });
    h.upstream.handle("candidate", () => completion("from the candidate", { prompt_tokens: 5, completion_tokens: 3 }));
    const res = await client.responses.create({ model: "assistant", input: "hi" });

    expect(res.output_text).toBe("from the candidate");
    expect(res.model).toBe("candidate");
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", requested_model: "assistant", served_model: "candidate", route_id: route.id, variant: "candidate" })]);
  });

  it("falls back when the model's upstream keeps failing; the answer names the model that served", async () => {
    h.upstream.handle("primary", () => errorAnswer(503, "overloaded"));
    h.upstream.handle("fallback", () => completion("from the fallback", { prompt_tokens: 5, completion_tokens: 3 }));
    const res = await client.responses.create({ model: "primary", input: "hi" });

    expect(res).toMatchObject({ output_text: "from the fallback", model: "fallback" });
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", status: "ok", served_model: "fallback", fallback_used: 1, attempts: 4 })]);
  });

  it("answers bad input with OpenAI's error shape and a 400 naming the parameter; nothing goes upstream", async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ input: "x", store: true }, "store"],
      [{ input: "x", previous_response_id: "resp_1" }, "previous_response_id"],
      [{ input: [{ type: "computer_call", id: "cc_1" }] }, "input[0].type"],
      [{ input: [{ role: "tool", content: "x" }] }, "input[0].role"],
      [{ input: "x", tools: [{ type: "web_search" }] }, "tools[0].type"],
    ];
    for (const [body, param] of bad) {
      const err = await client.responses.create({ model: "primary", ...body } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err).toMatchObject({ status: 400, param, type: "invalid_request_error" });
    }
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows()).map((r) => [r.endpoint, r.status, r.http_status])).toEqual(bad.map(() => ["responses", "rejected", 400]));
  });

  it("refuses a body over the size limit with 413", async () => {
    const res = await h.responses(key, { input: "x".repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(jsonOf(res).error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect((await h.rows())[0]).toMatchObject({ endpoint: "responses", status: "rejected", http_status: 413 });
  });
});

describe("passed through to a provider that speaks the Responses API", () => {
  const UP = [
    { type: "response.created", sequence_number: 0, response: { id: "resp_up", object: "response", created_at: 1_700_000_000, status: "in_progress", model: "native-up", output: [], usage: null } },
    { type: "response.in_progress", sequence_number: 1, response: { id: "resp_up", object: "response", created_at: 1_700_000_000, status: "in_progress", model: "native-up", output: [], usage: null } },
    { type: "response.output_item.added", sequence_number: 2, output_index: 0, item: { id: "msg_up", type: "message", status: "in_progress", role: "assistant", content: [] } },
    { type: "response.content_part.added", sequence_number: 3, item_id: "msg_up", output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } },
    { type: "response.output_text.delta", sequence_number: 4, item_id: "msg_up", output_index: 0, content_index: 0, delta: "Hi", logprobs: [], obfuscation: "abc" },
    { type: "response.output_text.delta", sequence_number: 5, item_id: "msg_up", output_index: 0, content_index: 0, delta: " there", logprobs: [], obfuscation: "de" },
  ];
  const message = { id: "msg_up", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Hi there", annotations: [], logprobs: [] }] };
  const END = [
    { type: "response.output_text.done", sequence_number: 6, item_id: "msg_up", output_index: 0, content_index: 0, text: "Hi there", logprobs: [] },
    { type: "response.content_part.done", sequence_number: 7, item_id: "msg_up", output_index: 0, content_index: 0, part: message.content[0] },
    { type: "response.output_item.done", sequence_number: 8, output_index: 0, item: message },
    {
      type: "response.completed",
      sequence_number: 9,
      response: { id: "resp_up", object: "response", created_at: 1_700_000_000, status: "completed", model: "native-up", output: [message], usage: { input_tokens: 14, output_tokens: 2, total_tokens: 16 } },
    },
  ];
  const wireOf = (list: Array<Record<string, unknown>>) => list.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
  const sse = (list: Array<Record<string, unknown>>) => new Response(wireOf(list), { headers: { "content-type": "text/event-stream" } });

  beforeEach(async () => {
    const provider = await h.provider({ responsesApi: true });
    await h.model("native", { providerId: provider.id, upstreamModel: "native-up", fallbacks: ["primary"] });
  });

  it("sends the client's request to {base}/responses (model, output limit and store set) and relays the upstream's events as sent", async () => {
    h.upstream.handle("native-up", () => sse([...UP, ...END]));
    const body = { model: "native", input: [{ role: "user", content: "hi" }], instructions: "Be brief.", tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: false }], metadata: { a: "b" }, stream: true };
    const res = await h.gateway.responses(gatewayRequest(body, { key }));
    const wire = await readStream(res);

    const call = h.upstream.calls[0]!;
    expect(call.url).toMatch(/^http:\/\/upstream-\d+\.test\/v1\/responses$/);
    expect(call.headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(call.body).toEqual({ ...body, model: "native-up", store: false, max_output_tokens: 4096, stream: true });
    expect(wire).toBe(wireOf([...UP, ...END]));
    expect(await h.rows()).toEqual([expect.objectContaining({ endpoint: "responses", status: "ok", served_model: "native", stream: 1, prompt_tokens: 14, completion_tokens: 2, cost_micros: costMicros(PRICES, 14, 2) })]);
  });

  it("is read by the SDK like OpenAI itself, plain and streamed", async () => {
    h.upstream.handle("native-up", (call) => (call.body.stream ? sse([...UP, ...END]) : Response.json(END[3]!.response)));
    expect((await client.responses.stream({ model: "native", input: "hi" }).finalResponse()).output_text).toBe("Hi there");
    const plain = await client.responses.create({ model: "native", input: "hi" });
    expect(plain).toMatchObject({ id: "resp_up", output_text: "Hi there" });
    expect((await h.rows()).map((r) => [r.status, r.prompt_tokens, r.completion_tokens])).toEqual([
      ["ok", 14, 2],
      ["ok", 14, 2],
    ]);
  });

  it("is cut at the output ceiling like any stream, continuing the upstream's numbering", async () => {
    h.upstream.handle("native-up", () => {
      const words = ["One", " two", " three", " four", " five", " six", " seven", " eight"];
      const many = words.map((delta, i) => ({ ...UP[4], sequence_number: 4 + i, delta }));
      return sse([...UP.slice(0, 4), ...many]);
    });
    const wire = await readStream(await h.responses(key, { model: "native", stream: true, max_output_tokens: 5 }));
    const sent = events(wire);

    expect(h.upstream.calls[0]!.body.max_output_tokens).toBe(5);
    expect(sent.slice(-2).map((e) => [e.event, e.data.sequence_number])).toEqual([
      ["response.incomplete", sent.length - 2],
      ["error", sent.length - 1],
    ]);
    expect(sent.at(-2)!.data.response).toMatchObject({ id: "resp_up", incomplete_details: { reason: "max_output_tokens" } });
    expect((await h.rows())[0]).toMatchObject({ status: "error", error_type: "output_ceiling_reached", completion_tokens: 5 });
  });

  it("falls back to a chat-only model through the translation", async () => {
    h.upstream.handle("native-up", () => errorAnswer(503, "overloaded"));
    h.upstream.handle("primary", () => completion("translated", { prompt_tokens: 5, completion_tokens: 1 }));
    const res = await client.responses.create({ model: "native", input: "hi" });

    expect(h.upstream.calls.at(-1)!.url).toMatch(/\/chat\/completions$/);
    expect(res).toMatchObject({ output_text: "translated", model: "primary", id: expect.stringMatching(/^resp_/) });
    expect((await h.rows())[0]).toMatchObject({ served_model: "primary", fallback_used: 1 });
  });
});
