/** The built server driven by the official `openai` client, unchanged apart from baseURL and apiKey. */
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let client: OpenAI;
let requests = 0;

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_DEMO: "1" } });
  const key = /Demo API key \(shown once\): (sk-sy-\S+)/.exec(server.output())?.[1];
  expect(key, "the demo key is printed at first start").toBeTruthy();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key!, maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
});

describe("official openai client against the gateway", () => {
  it("lists the demo models", async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(expect.arrayContaining(["sim-fast", "sim-balanced", "sim-slow", "sim-chat"]));
  });

  it("answers a non-streaming completion with usage", async () => {
    requests++;
    const res = await client.chat.completions.create({ model: "sim-fast", messages: [{ role: "user", content: "Tell me about trains" }] });
    expect(res.object).toBe("chat.completion");
    expect(res.choices[0]!.message.content!.length).toBeGreaterThan(10);
    expect(res.usage!.completion_tokens).toBeGreaterThan(0);
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
  });

  it("streams chunks incrementally, ending with a usage chunk", async () => {
    requests++;
    const stream = await client.chat.completions.create({
      model: "sim-balanced",
      messages: [{ role: "user", content: "Describe a switchyard at dawn" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content;
      if (piece) {
        arrivals.push(Date.now());
        text += piece;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(arrivals.length).toBeGreaterThan(10);
    // sim-balanced makes ~90 tokens/s: a buffered reply would arrive all at once.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(100);
    expect(usage?.completion_tokens).toBe(arrivals.length);
    expect(text.length).toBeGreaterThan(20);
  });

  it("round-trips a tool call", async () => {
    requests += 2;
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Current weather for a city",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Use get_weather for Lisbon please" }];
    const first = await client.chat.completions.create({ model: "sim-fast", messages, tools });
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toHaveProperty("city");

    messages.push(first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: '{"tempC": 21, "sky": "clear"}' });
    const second = await client.chat.completions.create({ model: "sim-fast", messages, tools });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    expect(second.choices[0]!.message.content).toContain("tempC");
  });

  it("raises the SDK's own error classes", async () => {
    requests += 3;
    const bad = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-sy-not-a-real-key", maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: "sim-fast", messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    const notFound = await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.message).toContain("sim-fast");
    const invalid = await client.chat.completions
      .create({ model: "sim-fast", messages: [{ role: "user", content: "hi" }], temperature: 7 })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid.param).toBe("temperature");
  });

  it("left exactly one usage row per completion request", async () => {
    const rows = await server.usageRows(requests);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.db().prepare("select count(*) n from usage").get()).toEqual({ n: requests });
    expect(rows.map((r) => r.status)).toEqual(["ok", "ok", "ok", "ok", "rejected", "rejected", "rejected"]);
  });
});
