/**
 * Every way a relayed stream can end (lib/gateway/relay.ts), through the whole pipeline: what the
 * client reads, whether it gets a clean [DONE], what the usage row says and whether the breaker
 * blames the upstream. A stream that fails before its first event is not committed and is retried.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import { countText } from "@/lib/gateway/tokens";
import { chunk, controlledStream, inTurn, sseAnswer, usageChunk, type ControlledStream } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, readStream, sseData, streamedContent, streamError, UPSTREAM_KEY, USER_MESSAGE, type Harness } from "../../../helpers/gateway";

let h: Harness;
let key: string;
let primaryId: string;

const PRICES = { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 };
const PROMPT_ESTIMATE = estimatePromptTokens({ messages: USER_MESSAGE as never });
const HELLO = [chunk({ role: "assistant", content: "Hello" }), chunk({ content: " world" })];
const FINISH = chunk({}, "stop");

const blame = () => h.gateway.breakers.state(primaryId, h.clock.now());

async function stream(body: Record<string, unknown> = {}): Promise<string> {
  const res = await h.chat(key, { stream: true, ...body });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
  return readStream(res);
}

beforeEach(async () => {
  h = createHarness();
  await h.model("fallback");
  primaryId = (await h.model("primary", { fallbacks: ["fallback"] })).id;
  key = await h.key((await h.team()).id);
});

afterEach(() => h.close());

describe("streams that end well", () => {
  it("relays every chunk as sent and ends with [DONE] after finish and [DONE]", async () => {
    h.upstream.handle("primary", () => sseAnswer([...HELLO, FINISH, usageChunk(9, 2), "[DONE]"]));
    const text = await stream();

    // Byte for byte what the upstream sent, minus the usage chunk the client did not ask for.
    expect(sseData(text)).toEqual([...HELLO, FINISH].map((c) => JSON.stringify(c)).concat("[DONE]"));
    const [row] = await h.rows();
    expect(row).toMatchObject({ status: "ok", http_status: 200, error_type: null, stream: 1, attempts: 1, prompt_tokens: 9, completion_tokens: 2, ttft_ms: 0 });
    expect(row!.cost_micros).toBe(costMicros(PRICES, 9, 2));
    expect(blame()).toMatchObject({ requests: 1, failures: 0 });
  });

  it("sends [DONE] itself when the upstream closes after finish without one", async () => {
    h.upstream.handle("primary", () => sseAnswer([...HELLO, FINISH]));
    const text = await stream();

    expect(sseData(text).at(-1)).toBe("[DONE]");
    expect(streamedContent(text)).toBe("Hello world");
    // No usage from the upstream: the prompt is the estimate, the reply counted with the tokenizer.
    expect((await h.rows())[0]).toMatchObject({ status: "ok", http_status: 200, error_type: null, prompt_tokens: PROMPT_ESTIMATE, completion_tokens: countText("Hello world") });
    expect(blame()).toMatchObject({ requests: 1, failures: 0 });
  });

  it("always asks the upstream for usage, and passes the usage chunk on only to a client that asked", async () => {
    h.upstream.handle("primary", () => sseAnswer([...HELLO, FINISH, usageChunk(9, 2), "[DONE]"]));
    const without = await stream();
    const withUsage = await stream({ stream_options: { include_usage: true } });

    for (const call of h.upstream.calls) expect(call.body.stream_options).toEqual({ include_usage: true });
    expect(sseData(without).some((d) => d.includes('"usage"'))).toBe(false);
    const events = sseData(withUsage);
    expect(events.at(-1)).toBe("[DONE]");
    expect(JSON.parse(events.at(-2)!)).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } });
    for (const row of await h.rows()) expect(row).toMatchObject({ status: "ok", prompt_tokens: 9, completion_tokens: 2 });
  });
});

describe("streams that end badly: an error event, never [DONE]", () => {
  it("ends with stream_cut when the upstream closes without a finish", async () => {
    h.upstream.handle("primary", () => sseAnswer(HELLO));
    const text = await stream();

    expect(streamedContent(text)).toBe("Hello world");
    expect(sseData(text)).not.toContain("[DONE]");
    expect(streamError(text)).toEqual({ message: "The upstream closed the stream before it finished.", type: "upstream_error", code: "stream_cut", param: null });
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "stream_cut", stream: 1, completion_tokens: countText("Hello world") });
    expect(blame()).toMatchObject({ requests: 1, failures: 1 });
  });

  it("ends with stream_cut when the connection breaks mid-stream", async () => {
    h.upstream.handle("primary", () => {
      const s = controlledStream();
      for (const c of HELLO) s.send(c);
      setImmediate(() => s.fail());
      return s.response;
    });
    const text = await stream();

    expect(streamedContent(text)).toBe("Hello world");
    expect(sseData(text)).not.toContain("[DONE]");
    expect(streamError(text)).toMatchObject({ type: "upstream_error", code: "stream_cut" });
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "stream_cut" });
    expect(blame()).toMatchObject({ failures: 1 });
  });

  it("ends with unparseable_output at an event that is not JSON, and hangs up on the upstream", async () => {
    let upstream!: ControlledStream;
    h.upstream.handle("primary", () => {
      upstream = controlledStream();
      upstream.send(chunk({ role: "assistant", content: "Fine so far" }));
      upstream.send('{"choices":[{"delta":{"content":"oops"');
      upstream.send(chunk({ content: " never relayed" }));
      return upstream.response;
    });
    const text = await stream();

    expect(streamedContent(text)).toBe("Fine so far");
    expect(sseData(text)).toHaveLength(2);
    expect(streamError(text)).toMatchObject({ type: "upstream_error", code: "unparseable_output" });
    expect(upstream.cancelled).toBe(true);
    expect(h.upstream.calls[0]!.signal.aborted).toBe(true);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "unparseable_output", completion_tokens: countText("Fine so far") });
    expect(blame()).toMatchObject({ failures: 1 });
  });

  it("relays an upstream error event mid-stream with the provider key redacted, and ends there", async () => {
    h.upstream.handle("primary", () =>
      sseAnswer([HELLO[0], { error: { message: `The model crashed (key ${UPSTREAM_KEY}).`, type: "server_error", code: "overloaded", param: null } }, HELLO[1], FINISH, "[DONE]"]),
    );
    const text = await stream();

    expect(streamedContent(text)).toBe("Hello");
    expect(sseData(text)).not.toContain("[DONE]");
    expect(streamError(text)).toEqual({ message: "The model crashed (key ••••).", type: "server_error", code: "overloaded", param: null });
    expect(text).not.toContain(UPSTREAM_KEY);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "upstream_error", completion_tokens: countText("Hello") });
    expect(blame()).toMatchObject({ failures: 1 });
  });
});

describe("streams that fail before their first event are not committed", () => {
  const openings: Array<[string, unknown[]]> = [
    ["ends before any data", []],
    ["sends only [DONE]", ["[DONE]"]],
    ["opens with an error event", [{ error: { message: "overloaded", type: "server_error" } }]],
    ["opens with an event that is not JSON", ["{not json"]],
  ];

  it.each(openings)("retries a stream that %s, and the client sees only the good one", async (_what, opening) => {
    h.upstream.handle("primary", inTurn(() => sseAnswer(opening), () => sseAnswer([...HELLO, FINISH, "[DONE]"])));
    const text = await stream();

    expect(streamedContent(text)).toBe("Hello world");
    expect(sseData(text).at(-1)).toBe("[DONE]");
    expect(h.upstream.callsTo("primary")).toHaveLength(2);
    expect(h.clock.sleeps).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 2, fallback_used: 0, served_model: "primary" });
  });

  it("answers a plain 502, not a stream, when every attempt and fallback ends before any data", async () => {
    h.upstream.handle(null, () => sseAnswer([]));
    const res = await h.chat(key, { stream: true });

    expect(res.status).toBe(502);
    expect(jsonOf(res).error).toMatchObject({ type: "upstream_error", message: "The upstream stream ended before any data." });
    expect(h.upstream.calls).toHaveLength(6);
    expect(await h.rows()).toEqual([expect.objectContaining({ status: "error", http_status: 502, error_type: "upstream_error", stream: 1, attempts: 6, fallback_used: 1 })]);
  });
});
