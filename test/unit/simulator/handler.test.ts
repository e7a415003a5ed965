import { describe, expect, it } from "vitest";
import { createSimulator } from "@/lib/simulator/handler";
import { abortableSleep, type Sleep } from "@/lib/simulator/sleep";
import { chatRequest, chunksOf, contentOf, FAST, readEvents, userTurn } from "./helpers";

const NOW = 1_750_000_000_123;

function simulator(random: () => number = () => 0.99) {
  let pending = 0;
  const sleep: Sleep = async (ms, signal) => {
    pending += 1;
    try {
      await abortableSleep(ms, signal);
    } finally {
      pending -= 1;
    }
  };
  const sim = createSimulator({ now: () => NOW, random, sleep, models: () => ["custom-model"] });
  return { sim, pendingSleeps: () => pending };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const ask = { model: "sim-test", messages: userTurn("Tell me about trains") };

describe("non-streaming", () => {
  it("answers with OpenAI's chat.completion object", async () => {
    const { sim } = simulator();
    const res = await sim.fetch(chatRequest(ask), FAST);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await res.json();
    expect(Object.keys(body)).toEqual(["id", "object", "created", "model", "system_fingerprint", "choices", "usage"]);
    expect(body).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{32}$/),
      object: "chat.completion",
      created: Math.floor(NOW / 1000),
      model: "sim-test",
      system_fingerprint: "fp_sim",
      choices: [
        { index: 0, message: { role: "assistant", content: expect.any(String), refusal: null }, logprobs: null, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("is deterministic and honours max_tokens", async () => {
    const { sim } = simulator();
    const first = await (await sim.fetch(chatRequest(ask), FAST)).json();
    const again = await (await sim.fetch(chatRequest(ask), FAST)).json();
    expect(again.choices[0].message.content).toBe(first.choices[0].message.content);
    const capped = await (await sim.fetch(chatRequest({ ...ask, max_tokens: 4 }), FAST)).json();
    expect(capped.choices[0].finish_reason).toBe("length");
    expect(capped.usage.completion_tokens).toBe(4);
    expect(first.choices[0].message.content.startsWith(capped.choices[0].message.content)).toBe(true);
  });

  it("returns a tool call with null content", async () => {
    const { sim } = simulator();
    const tools = [{ type: "function", function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string", enum: ["UTC"] } }, required: ["zone"] } } }];
    const body = await (await sim.fetch(chatRequest({ model: "m", tools, tool_choice: "required", messages: userTurn("hi") }), FAST)).json();
    expect(body.choices[0]).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [{ id: expect.stringMatching(/^call_[0-9a-f]{24}$/), type: "function", function: { name: "get_time", arguments: '{"zone":"UTC"}' } }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    });
  });
});

describe("streaming", () => {
  it("sends role, content pieces, finish and [DONE], without usage unless asked", async () => {
    const { sim } = simulator();
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }), FAST);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const read = await readEvents(res.body);
    expect(read.error).toBeUndefined();
    expect(read.data.at(-1)).toBe("[DONE]");
    const chunks = chunksOf(read);
    const [first, ...rest] = chunks;
    const finish = rest.pop();
    expect(first.choices[0]).toEqual({ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null });
    expect(finish.choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: "stop" });
    for (const chunk of rest) expect(Object.keys(chunk.choices[0].delta)).toEqual(["content"]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: first.id, object: "chat.completion.chunk", created: Math.floor(NOW / 1000), model: "sim-test", system_fingerprint: "fp_sim" });
      expect("usage" in chunk).toBe(false);
    }
    const whole = await (await sim.fetch(chatRequest(ask), FAST)).json();
    expect(contentOf(chunks)).toBe(whole.choices[0].message.content);
  });

  it("adds a usage chunk, and usage:null on every other chunk, when include_usage is set", async () => {
    const { sim } = simulator();
    const res = await sim.fetch(chatRequest({ ...ask, stream: true, stream_options: { include_usage: true }, max_tokens: 9 }), FAST);
    const chunks = chunksOf(await readEvents(res.body));
    const last = chunks.pop();
    expect(last.choices).toEqual([]);
    for (const chunk of chunks) expect(chunk.usage).toBeNull();
    const pieces = chunks.filter((c) => typeof c.choices[0].delta.content === "string" && c.choices[0].delta.content !== "");
    expect(pieces).toHaveLength(9);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("length");
    expect(last.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 9, total_tokens: last.usage.prompt_tokens + 9 });
  });

  it("paces pieces: the first after ttft, then one per 1/tokensPerSecond", async () => {
    const { sim } = simulator();
    const started = performance.now();
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }), { ttftMs: 30, tokensPerSecond: 200, outputTokens: 8 });
    const reader = res.body!.getReader();
    await reader.read();
    expect(performance.now() - started).toBeGreaterThanOrEqual(28);
    let reads = 1;
    while (!(await reader.read()).done) reads += 1;
    expect(reads).toBeGreaterThan(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(28 + 7 * 5 - 5);
  });

  it("paces on an injected clock and sleep", async () => {
    let clock = 0;
    const sim = createSimulator({ now: () => clock, sleep: async (ms) => void (clock += ms) });
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }), { ttftMs: 100, tokensPerSecond: 50, outputTokens: 4 });
    const reader = res.body!.getReader();
    const times: number[] = [];
    while (!(await reader.read()).done) times.push(clock);
    expect(times).toEqual([100, 120, 140, 160]);
  });

  it("sends several tokens per event at the same tokens per second when tokensPerChunk is set", async () => {
    let clock = 0;
    const sim = createSimulator({ now: () => clock, sleep: async (ms) => void (clock += ms) });
    const res = await sim.fetch(chatRequest({ ...ask, stream: true, stream_options: { include_usage: true } }), { ttftMs: 100, tokensPerSecond: 50, outputTokens: 10, tokensPerChunk: 4 });
    const reader = res.body!.getReader();
    const times: number[] = [];
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      times.push(clock);
      text += new TextDecoder().decode(r.value);
    }
    // 10 tokens in events of 4, 4 and 2, one event per 4 × 20 ms.
    expect(times).toEqual([100, 180, 260]);
    const chunks = text.split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)));
    const contents = chunks.map((c) => c.choices[0]?.delta?.content).filter((c) => typeof c === "string" && c !== "");
    expect(contents).toHaveLength(3);
    expect(chunks.at(-1).usage.completion_tokens).toBe(10);
  });

  it("streams a tool call like OpenAI", async () => {
    const { sim } = simulator();
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
    const body = { model: "m", tools, stream: true, stream_options: { include_usage: true }, messages: userTurn("Use get_weather for Lisbon") };
    const chunks = chunksOf(await readEvents((await sim.fetch(chatRequest(body), FAST)).body));
    const usage = chunks.pop().usage;
    const finish = chunks.pop();
    const [first, ...fragments] = chunks;
    expect(first.choices[0].delta).toEqual({
      role: "assistant",
      content: null,
      refusal: null,
      tool_calls: [{ index: 0, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), type: "function", function: { name: "get_weather", arguments: "" } }],
    });
    const args = fragments.map((c) => {
      expect(c.choices[0].delta).toEqual({ tool_calls: [{ index: 0, function: { arguments: expect.any(String) } }] });
      return c.choices[0].delta.tool_calls[0].function.arguments;
    });
    expect(JSON.parse(args.join(""))).toEqual({ city: "Lisbon" });
    expect(finish.choices[0].finish_reason).toBe("tool_calls");
    expect(usage.completion_tokens).toBe(fragments.length);
  });

  it("cuts the stream half way when the cut fires: an error, no finish, no [DONE]", async () => {
    const { sim } = simulator(() => 0);
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }), { ...FAST, cutRate: 0.5, outputTokens: 10 });
    const read = await readEvents(res.body);
    expect((read.error as Error).message).toBe("simulated cut");
    expect(read.data).not.toContain("[DONE]");
    const chunks = chunksOf(read);
    expect(chunks.every((c) => c.choices[0].finish_reason === null)).toBe(true);
    expect(chunks).toHaveLength(1 + 5);
  });

  it("cuts a non-streaming body too", async () => {
    const { sim } = simulator(() => 0);
    const res = await sim.fetch(chatRequest(ask), { ...FAST, cutRate: 1 });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow("simulated cut");
  });

  it("stops generating, timers included, when the request is aborted", async () => {
    const { sim, pendingSleeps } = simulator();
    const aborter = new AbortController();
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }, { signal: aborter.signal }), { ttftMs: 5, tokensPerSecond: 20, outputTokens: 50 });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    const pendingRead = reader.read();
    await tick();
    expect(pendingSleeps()).toBe(1);
    aborter.abort();
    await expect(pendingRead).rejects.toMatchObject({ name: "AbortError" });
    await tick();
    expect(pendingSleeps()).toBe(0);
  });

  it("stops its timers when the consumer cancels", async () => {
    const { sim, pendingSleeps } = simulator();
    const res = await sim.fetch(chatRequest({ ...ask, stream: true }), { ttftMs: 5, tokensPerSecond: 20, outputTokens: 50 });
    const reader = res.body!.getReader();
    await reader.read();
    const pendingRead = reader.read();
    await tick();
    expect(pendingSleeps()).toBe(1);
    await reader.cancel();
    await pendingRead;
    await tick();
    expect(pendingSleeps()).toBe(0);
  });

  it("rejects a non-streaming call when its request is aborted", async () => {
    const { sim, pendingSleeps } = simulator();
    const aborter = new AbortController();
    const started = performance.now();
    const pending = sim.fetch(chatRequest(ask, { signal: aborter.signal }), { ttftMs: 10_000 });
    setTimeout(() => aborter.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(pendingSleeps()).toBe(0);
  });
});

describe("injected faults", () => {
  it("answers 429 with retry-after headers", async () => {
    const { sim } = simulator(() => 0.1);
    const started = performance.now();
    const res = await sim.fetch(chatRequest(ask), { ttftMs: 10_000, rateLimitRate: 0.2, retryAfterSeconds: 1.5 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.headers.get("retry-after-ms")).toBe("1500");
    expect(await res.json()).toEqual({
      error: { message: "Rate limit reached (simulated)", type: "requests", param: null, code: "rate_limit_exceeded" },
    });
  });

  it("answers 500 when the error roll hits after the rate-limit roll misses", async () => {
    const rolls = [0.9, 0.1];
    const { sim } = simulator(() => rolls.shift() ?? 0.99);
    const res = await sim.fetch(chatRequest(ask), { ...FAST, rateLimitRate: 0.5, errorRate: 0.5 });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { message: "The server had an error (simulated)", type: "server_error", param: null, code: null },
    });
    expect(rolls).toEqual([]);
  });

  it("leaves requests alone when the rolls miss", async () => {
    const { sim } = simulator(() => 0.5);
    const res = await sim.fetch(chatRequest(ask), { ...FAST, rateLimitRate: 0.5, errorRate: 0.5, cutRate: 0.5 });
    expect(res.status).toBe(200);
    expect((await res.json()).object).toBe("chat.completion");
  });
});

describe("requests and routes", () => {
  it.each([
    ["bad JSON", "{", null],
    ["missing model", JSON.stringify({ messages: userTurn("hi") }), "model"],
    ["missing messages", JSON.stringify({ model: "m" }), "messages"],
    ["empty messages", JSON.stringify({ model: "m", messages: [] }), "messages"],
    ["unknown forced tool", JSON.stringify({ model: "m", messages: userTurn("hi"), tools: [], tool_choice: { type: "function", function: { name: "nope" } } }), "tool_choice"],
  ])("rejects %s with an OpenAI-shaped 400", async (_name, body, param) => {
    const { sim } = simulator();
    const res = await sim.fetch(new Request("http://sim.test/v1/chat/completions", { method: "POST", body }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", param, code: null } });
  });

  it("lists built-in and configured models", async () => {
    const { sim } = simulator();
    const body = await (await sim.fetch(new Request("http://any.host/v1/models"))).json();
    expect(body.object).toBe("list");
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(["sim-fast", "sim-balanced", "sim-slow", "custom-model"]);
    expect(body.data[0]).toEqual({ id: "sim-fast", object: "model", created: expect.any(Number), owned_by: "switchyard-simulator" });
  });

  it("answers unknown paths with a 404", async () => {
    const { sim } = simulator();
    const res = await sim.fetch(new Request("http://sim.test/v1/audio/speech", { method: "POST", body: "{}" }));
    expect(res.status).toBe(404);
    expect((await res.json()).error.type).toBe("invalid_request_error");
  });

  it("layers the per-model profile under the call's own", async () => {
    const sim = createSimulator({ profileFor: (model) => (model === "tiny" ? { ...FAST, outputTokens: 3 } : undefined) });
    const body = await (await sim.fetch(chatRequest({ model: "tiny", messages: userTurn("hi") }))).json();
    expect(body.usage.completion_tokens).toBe(3);
    const overridden = await (await sim.fetch(chatRequest({ model: "tiny", messages: userTurn("hi") }), { outputTokens: 5 })).json();
    expect(overridden.usage.completion_tokens).toBe(5);
  });
});
