/**
 * The per-attempt clocks through the whole pipeline, on vitest's fake timers: time passes only
 * when the test says, so each timeout fires at its exact instant and never by a wall-clock race.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UpstreamTimeout } from "@/lib/gateway/timeouts";
import { chunk, completion, controlledStream, never, type ControlledStream } from "../../../helpers/fake-upstream";
import { createHarness, flush, jsonOf, readStream, sseData, streamedContent, streamError, until, type Harness } from "../../../helpers/gateway";

const FIRST_BYTE_MS = 5_000;
const IDLE_MS = 1_000;
const TOTAL_MS = 3_000;

let h: Harness;
let key: string;
let upstream: ControlledStream;

/** Starts a stream request whose upstream has sent "Hello"; resolves with the committed response. */
async function helloStream(model: string) {
  h.upstream.handle(model, () => {
    upstream = controlledStream();
    upstream.send(chunk({ role: "assistant", content: "Hello" }));
    return upstream.response;
  });
  const res = await h.chat(key, { model, stream: true });
  if (!("stream" in res)) throw new Error(`expected a stream, got ${res.status}`);
  return res;
}

beforeEach(async () => {
  h = createHarness();
  h.clock.useTimers();
  await h.model("fallback");
  await h.model("primary", { providerId: (await h.provider({ maxAttempts: 1, firstByteTimeoutMs: FIRST_BYTE_MS })).id, fallbacks: ["fallback"] });
  await h.model("alone", { providerId: (await h.provider({ maxAttempts: 1, firstByteTimeoutMs: FIRST_BYTE_MS })).id });
  await h.model("idle", { providerId: (await h.provider({ maxAttempts: 1, idleTimeoutMs: IDLE_MS })).id });
  await h.model("total", { providerId: (await h.provider({ maxAttempts: 1, idleTimeoutMs: IDLE_MS, totalTimeoutMs: TOTAL_MS })).id });
  key = await h.key((await h.team()).id);
  h.upstream.handle("fallback", () => completion("from the fallback", { prompt_tokens: 5, completion_tokens: 3 }));
});

afterEach(async () => {
  try {
    // No clock of an attempt outlives its request (the usage writer's own timer stops on flush).
    await flush();
    await h.usage.flush();
    expect(vi.getTimerCount()).toBe(0);
  } finally {
    await h.close();
  }
});

describe("first-byte timeout", () => {
  it("gives up on a silent upstream at the first-byte timeout and fails over", async () => {
    h.upstream.handle("primary", never);
    const pending = h.chat(key);
    await until(() => h.upstream.calls.length === 1, "the call to reach the upstream");

    await h.clock.pass(FIRST_BYTE_MS - 1);
    expect(h.upstream.calls[0]!.signal.aborted).toBe(false);
    await h.clock.pass(1);
    const res = await pending;

    expect(h.upstream.calls[0]!.signal.reason).toBeInstanceOf(UpstreamTimeout);
    expect(res.status).toBe(200);
    expect(jsonOf(res).choices[0].message.content).toBe("from the fallback");
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 2, fallback_used: 1, served_model: "fallback", latency_ms: FIRST_BYTE_MS });
  });

  it("answers 504 timeout when there is nothing to fail over to", async () => {
    h.upstream.handle("alone", never);
    const pending = h.chat(key, { model: "alone" });
    await until(() => h.upstream.calls.length === 1, "the call to reach the upstream");
    await h.clock.pass(FIRST_BYTE_MS);
    const res = await pending;

    expect(res.status).toBe(504);
    expect(jsonOf(res).error).toEqual({
      message: `The upstream did not answer in time (upstream first byte timeout after ${FIRST_BYTE_MS} ms).`,
      type: "timeout",
      code: "timeout",
      param: null,
    });
    expect(h.upstream.calls[0]!.signal.aborted).toBe(true);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 504, error_type: "timeout", attempts: 1, latency_ms: FIRST_BYTE_MS });
  });
});

describe("idle timeout", () => {
  it("ends a stalled stream with a timeout error event at the idle gap, and hangs up", async () => {
    const res = await helloStream("idle");
    expect(streamedContent((await res.stream.next())!)).toBe("Hello");
    let rest: string | null | undefined;
    const reading = res.stream.next().then((text) => (rest = text));

    await h.clock.pass(IDLE_MS - 1);
    expect(rest).toBeUndefined();
    await h.clock.pass(1);
    await reading;

    expect(streamError(rest!)).toEqual({ message: `The upstream stopped sending (upstream idle timeout after ${IDLE_MS} ms).`, type: "timeout", code: "timeout", param: null });
    expect(sseData(rest!)).not.toContain("[DONE]");
    expect(await res.stream.next()).toBeNull();
    expect(upstream.cancelled).toBe(true);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "timeout", stream: 1, completion_tokens: 1, latency_ms: IDLE_MS });
  });

  it("does not fire while events keep coming within the gap", async () => {
    const res = await helloStream("idle");
    const text = readStream(res);
    for (const word of [" a", " b", " c"]) {
      await h.clock.pass(IDLE_MS - 100);
      upstream.send(chunk({ content: word }));
    }
    upstream.send(chunk({}, "stop"));
    upstream.send("[DONE]");
    upstream.close();

    expect(streamedContent(await text)).toBe("Hello a b c");
    expect(sseData(await text).at(-1)).toBe("[DONE]");
    expect((await h.rows())[0]).toMatchObject({ status: "ok", http_status: 200 });
  });
});

describe("total deadline", () => {
  it("ends a stream that trickles inside the idle gap but never finishes", async () => {
    const res = await helloStream("total");
    const text = readStream(res);
    for (let elapsed = 0; elapsed < TOTAL_MS; elapsed += 500) {
      await h.clock.pass(500);
      upstream.send(chunk({ content: " tick" }));
    }

    expect(streamError(await text)).toMatchObject({ type: "timeout", code: "timeout", message: `The upstream stopped sending (upstream deadline timeout after ${TOTAL_MS} ms).` });
    expect(upstream.cancelled).toBe(true);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "timeout", latency_ms: TOTAL_MS });
  });
});
