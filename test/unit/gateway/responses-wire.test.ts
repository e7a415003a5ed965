/**
 * The Responses door's wire format (lib/gateway/responses-wire.ts): the event sequence and the
 * Response object built from the gateway's events, checked event by event and then read by the
 * official SDK's own stream helper, which validates order, ids and indexes as it accumulates.
 */
import OpenAI, { APIError } from "openai";
import { describe, expect, it } from "vitest";
import type { ChatEvent, Frame } from "@/lib/gateway/providers/types";
import { responseBody, responsesStreamEncoder, type ResponseEcho } from "@/lib/gateway/responses-wire";

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);
const now = () => NOW;
const META = { requestId: "req_abc123", model: "sim-fast" };
const ECHO: ResponseEcho = {
  instructions: null,
  max_output_tokens: null,
  metadata: {},
  parallel_tool_calls: true,
  temperature: null,
  top_p: null,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  reasoning: { effort: null, summary: null },
  user: null,
};

const frame = (...events: ChatEvent[]): Frame => ({ raw: null, events });
const text = (t: string, kind: "content" | "reasoning" | "refusal" = "content", choice = 0): ChatEvent => ({ type: "delta", choice, kind, text: t });
const finish = (reason: "stop" | "length" | "tool_calls" | "content_filter"): ChatEvent => ({ type: "finish", choice: 0, reason });
const usage = (p: number, c: number): ChatEvent => ({ type: "usage", promptTokens: p, completionTokens: c });
const call = (index: number, args: string, head?: { id: string; name: string }): ChatEvent => ({ type: "tool-call", choice: 0, index, arguments: args, ...head });

interface Sent {
  event: string;
  data: Record<string, any>;
}

/** The SSE blocks of a stream: each names its event, and its data's `type` is that name. */
function parse(wire: string): Sent[] {
  return wire
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1] ?? "";
      const data = JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as Record<string, any>;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

/** Encodes frames as the relay does, ending with `end` (done, a cut at the ceiling, or an error). */
function encode(frames: Frame[], end: "done" | "cut" | "error" = "done"): string {
  const enc = responsesStreamEncoder(ECHO, now, META);
  let wire = frames.map((f) => enc.frame(f)).join("");
  if (end === "done") wire += enc.done();
  else if (end === "cut") wire += enc.lengthCut(1) + enc.error("The reply reached 5 output tokens, the most this request's budget reservation covers.", "upstream_error", "output_ceiling_reached");
  else wire += enc.error("The upstream closed the stream before it finished.", "upstream_error", "stream_cut");
  return wire;
}

/** The official client reading `wire` as the answer to responses.stream(). */
function sdkStream(wire: string) {
  const client = new OpenAI({ apiKey: "k", baseURL: "http://switchyard.test/v1", maxRetries: 0, fetch: async () => new Response(wire, { headers: { "content-type": "text/event-stream" } }) });
  return client.responses.stream({ model: "sim-fast", input: "hi" });
}

const types = (sent: Sent[]) => sent.map((s) => s.event);

describe("the stream of a translated answer", () => {
  it("text: created, in_progress, the message item and its part, deltas, the done events, completed with usage", async () => {
    const wire = encode([frame({ type: "start", id: "chatcmpl-1", model: "up", created: 1 }, text("Hello")), frame(text(" world")), frame(finish("stop")), frame(usage(9, 2))]);
    const sent = parse(wire);
    expect(types(sent)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sent.map((s) => s.data.sequence_number)).toEqual(sent.map((_, i) => i));
    expect(sent[0]!.data.response).toMatchObject({ id: "resp_abc123", object: "response", status: "in_progress", model: "sim-fast", created_at: NOW / 1000, output: [], usage: null, store: false });
    expect(sent[2]!.data).toMatchObject({ output_index: 0, item: { id: "msg_abc123_0", type: "message", role: "assistant", status: "in_progress", content: [] } });
    expect(sent[4]!.data).toEqual({ type: "response.output_text.delta", sequence_number: 4, item_id: "msg_abc123_0", output_index: 0, content_index: 0, delta: "Hello", logprobs: [] });
    expect(sent[6]!.data).toMatchObject({ item_id: "msg_abc123_0", text: "Hello world" });
    const completed = sent.at(-1)!.data.response;
    expect(completed).toMatchObject({
      status: "completed",
      completed_at: NOW / 1000,
      error: null,
      incomplete_details: null,
      output: [{ id: "msg_abc123_0", type: "message", status: "completed", content: [{ type: "output_text", text: "Hello world", annotations: [] }] }],
      usage: { input_tokens: 9, output_tokens: 2, total_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    });

    const final = await sdkStream(wire).finalResponse();
    expect(final.output_text).toBe("Hello world");
    expect(final.status).toBe("completed");
    expect(final.usage?.total_tokens).toBe(11);
  });

  it("a function call after text: the message closes, the call item opens with its call_id and name, arguments stream", async () => {
    const wire = encode([
      frame(text("Let me check.")),
      frame(call(0, "", { id: "call_x", name: "get_weather" })),
      frame(call(0, '{"city":')),
      frame(call(0, '"Lisbon"}')),
      frame(finish("tool_calls"), usage(20, 12)),
    ]);
    const sent = parse(wire);
    expect(types(sent).slice(2)).toEqual([
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(sent[8]!.data).toMatchObject({ output_index: 1, item: { id: "fc_abc123_1", type: "function_call", call_id: "call_x", name: "get_weather", arguments: "", status: "in_progress" } });
    expect(sent[11]!.data).toMatchObject({ item_id: "fc_abc123_1", output_index: 1, arguments: '{"city":"Lisbon"}' });

    const final = await sdkStream(wire).finalResponse();
    expect(final.output[1]).toMatchObject({ type: "function_call", call_id: "call_x", name: "get_weather", arguments: '{"city":"Lisbon"}', status: "completed" });
    expect(final.output_text).toBe("Let me check.");
  });

  it("several calls are items of their own; a call without an id gets one from the request id", async () => {
    const wire = encode([frame(call(0, "{}", { id: "", name: "a" }), call(1, '{"x":1}', { id: "call_b", name: "b" })), frame(finish("tool_calls"))]);
    const done = parse(wire).filter((s) => s.event === "response.output_item.done").map((s) => s.data.item);
    expect(done).toEqual([
      { id: "fc_abc123_0", type: "function_call", status: "completed", arguments: "{}", call_id: "call_abc123_0", name: "a" },
      { id: "fc_abc123_1", type: "function_call", status: "completed", arguments: '{"x":1}', call_id: "call_b", name: "b" },
    ]);
    expect((await sdkStream(wire).finalResponse()).output).toHaveLength(2);
  });

  it("reasoning is an item of its own; a refusal is a part of the message", async () => {
    const wire = encode([frame(text("thinking", "reasoning")), frame(text("Sure, ")), frame(text("but no.", "refusal")), frame(finish("stop"))]);
    const sent = parse(wire);
    expect(types(sent).slice(2)).toEqual([
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.content_part.added",
      "response.refusal.delta",
      "response.refusal.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const final = await sdkStream(wire).finalResponse();
    expect(final.output[0]).toMatchObject({ type: "reasoning", id: "rs_abc123_0", content: [{ type: "reasoning_text", text: "thinking" }] });
    expect(final.output[1]).toMatchObject({ type: "message", content: [{ type: "output_text", text: "Sure, " }, { type: "refusal", refusal: "but no." }] });
  });

  it("a reply the upstream stopped at its limit ends with response.incomplete (max_output_tokens), cleanly", async () => {
    const wire = encode([frame(text("Once upon")), frame(finish("length"), usage(5, 2))]);
    const sent = parse(wire);
    expect(types(sent).slice(-2)).toEqual(["response.output_item.done", "response.incomplete"]);
    expect(sent.at(-2)!.data.item.status).toBe("incomplete");
    expect(sent.at(-1)!.data.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, usage: { output_tokens: 2 } });
    const final = await sdkStream(wire).finalResponse();
    expect(final).toMatchObject({ status: "incomplete", output_text: "Once upon" });
  });

  it("content_filter ends with response.incomplete (content_filter)", () => {
    const sent = parse(encode([frame(text("x")), frame(finish("content_filter"))]));
    expect(sent.at(-1)!.data.response.incomplete_details).toEqual({ reason: "content_filter" });
  });

  it("the gateway's cut at the ceiling: the open items close incomplete, response.incomplete (max_output_tokens), then an error event", async () => {
    const wire = encode([frame(text("Once upon a time"))], "cut");
    const sent = parse(wire);
    expect(types(sent).slice(-5)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete", "error"]);
    expect(sent.at(-2)!.data.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] });
    expect(sent.at(-1)!.data).toEqual({ type: "error", sequence_number: sent.length - 1, code: "output_ceiling_reached", message: expect.stringContaining("budget reservation"), param: null });

    const stream = sdkStream(wire);
    const seen: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    const err = await stream.finalResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain("budget reservation");
    expect(seen).toContain("response.incomplete");
  });

  it("a failure mid-stream: response.failed with the error and what was sent marked incomplete, then an error event; never a completed", async () => {
    const wire = encode([frame(text("Hello"))], "error");
    const sent = parse(wire);
    expect(types(sent).slice(-2)).toEqual(["response.failed", "error"]);
    expect(types(sent)).not.toContain("response.completed");
    expect(sent.at(-2)!.data.response).toMatchObject({
      status: "failed",
      error: { code: "stream_cut", message: "The upstream closed the stream before it finished." },
      output: [{ type: "message", status: "incomplete", content: [{ text: "Hello" }] }],
    });
    expect(sent.at(-1)!.data).toMatchObject({ type: "error", code: "stream_cut", message: "The upstream closed the stream before it finished." });
    const err = await sdkStream(wire).finalResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).message).toContain("closed the stream");
  });

  it("a failure before anything was relayed still opens the response first", () => {
    const enc = responsesStreamEncoder(ECHO, now, META);
    expect(types(parse(enc.error("The upstream stopped sending (idle timeout).", "timeout", "timeout")))).toEqual(["response.created", "response.in_progress", "response.failed", "error"]);
  });

  it("only the first choice is the reply", () => {
    const sent = parse(encode([frame(text("one"), text("two", "content", 1)), frame(finish("stop"))]));
    expect(sent.at(-1)!.data.response.output).toEqual([expect.objectContaining({ content: [expect.objectContaining({ text: "one" })] })]);
  });
});

describe("a whole translated answer", () => {
  it("is a Response object: items, status, usage, the served model and the gateway's ids", async () => {
    const body = responseBody(
      frame({ type: "start", id: "chatcmpl-1", model: "up", created: 1 }, text("Calling."), call(0, '{"city":"Porto"}', { id: "call_1", name: "get_weather" }), finish("tool_calls"), usage(30, 8)),
      { ...ECHO, instructions: "Be brief.", metadata: { team: "x" } },
      now,
      META,
    );
    const json = JSON.parse(body);
    expect(json).toMatchObject({
      id: "resp_abc123",
      object: "response",
      created_at: NOW / 1000,
      status: "completed",
      model: "sim-fast",
      instructions: "Be brief.",
      metadata: { team: "x" },
      output: [
        { id: "msg_abc123_0", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Calling.", annotations: [] }] },
        { id: "fc_abc123_1", type: "function_call", status: "completed", call_id: "call_1", name: "get_weather", arguments: '{"city":"Porto"}' },
      ],
      usage: { input_tokens: 30, output_tokens: 8, total_tokens: 38 },
    });
    const client = new OpenAI({ apiKey: "k", baseURL: "http://switchyard.test/v1", maxRetries: 0, fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }) });
    expect((await client.responses.create({ model: "sim-fast", input: "x" })).output_text).toBe("Calling.");
  });

  it("is incomplete (max_output_tokens) when the upstream stopped at the limit", () => {
    const json = JSON.parse(responseBody(frame(text("Once"), finish("length")), ECHO, now, META));
    expect(json).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] });
  });
});

describe("a pass-through (the upstream spoke the Responses API)", () => {
  const upstreamEvents = [
    { type: "response.created", sequence_number: 0, response: { id: "resp_up", object: "response", created_at: 1700000000, status: "in_progress", model: "gpt-up", output: [], usage: null } },
    { type: "response.output_item.added", sequence_number: 1, output_index: 0, item: { id: "msg_up", type: "message", status: "in_progress", role: "assistant", content: [] } },
    { type: "response.content_part.added", sequence_number: 2, item_id: "msg_up", output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
    { type: "response.output_text.delta", sequence_number: 3, item_id: "msg_up", output_index: 0, content_index: 0, delta: "Hi", logprobs: [], obfuscation: "xyz" },
  ];
  const nativeFrame = (e: Record<string, any>, events: ChatEvent[] = []): Frame => ({ raw: null, events, native: { text: JSON.stringify(e), event: e.type } });

  it("passes each upstream event on as sent and adds nothing at the end", () => {
    const enc = responsesStreamEncoder(ECHO, now, META);
    const frames = upstreamEvents.map((e, i) => nativeFrame(e, i === 0 ? [{ type: "start", id: "resp_up", model: "gpt-up", created: 1700000000 }] : []));
    const wire = frames.map((f) => enc.frame(f)).join("") + enc.done();
    expect(wire).toBe(upstreamEvents.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(""));
  });

  it("a cut at the ceiling continues the upstream's numbering and names its response; the SDK fills the output in", async () => {
    const enc = responsesStreamEncoder(ECHO, now, META);
    let wire = upstreamEvents.map((e, i) => enc.frame(nativeFrame(e, i === 0 ? [{ type: "start", id: "resp_up", model: "gpt-up", created: 1700000000 }] : []))).join("");
    const ending = enc.lengthCut(1) + enc.error("The reply reached its limit.", "upstream_error", "output_ceiling_reached");
    wire += ending;
    const sent = parse(ending);
    expect(sent.map((s) => [s.event, s.data.sequence_number])).toEqual([
      ["response.incomplete", 4],
      ["error", 5],
    ]);
    expect(sent[0]!.data.response).toEqual({ id: "resp_up", object: "response", created_at: 1700000000, status: "incomplete", model: "gpt-up", error: null, incomplete_details: { reason: "max_output_tokens" } });

    const stream = sdkStream(wire);
    let incomplete: Record<string, any> | null = null;
    stream.on("response.incomplete", (e) => (incomplete = e.response as never));
    await expect(stream.finalResponse()).rejects.toBeInstanceOf(APIError);
    expect(incomplete!.output).toEqual([expect.objectContaining({ id: "msg_up", content: [expect.objectContaining({ text: "Hi" })] })]);
  });

  it("a whole body passes as sent", () => {
    const text = '{"id":"resp_up","object":"response","status":"completed","output":[],"extra":"kept"}';
    expect(responseBody({ raw: null, events: [], native: { text, event: null } }, ECHO, now, META)).toBe(text);
  });
});
