/**
 * A client that goes away, through the whole pipeline: before the upstream answers, during a retry
 * wait, and mid-stream. The upstream call is aborted at once, the row says "aborted" with what was
 * relayed so far, nothing stays reserved, and the breaker does not blame the upstream.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import { ClientAborted } from "@/lib/gateway/timeouts";
import { countText } from "@/lib/gateway/tokens";
import { chunk, controlledStream, errorAnswer, never, type ControlledStream } from "../../../helpers/fake-upstream";
import { createHarness, streamedContent, until, USER_MESSAGE, type Harness } from "../../../helpers/gateway";

const PRICES = { inputMicrosPerMTok: 2_500_000, outputMicrosPerMTok: 10_000_000 };
const PROMPT_ESTIMATE = estimatePromptTokens({ messages: USER_MESSAGE as never });

let h: Harness;
let key: string;
let teamId: string;
let primaryId: string;

const nothingHeld = () => {
  expect(h.gateway.budgets.outstanding(teamId)).toBe(0);
  expect(h.gateway.breakers.state(primaryId, h.clock.now())).toMatchObject({ state: "closed", requests: 0, failures: 0 });
};

beforeEach(async () => {
  h = createHarness();
  await h.model("fallback");
  primaryId = (await h.model("primary", { fallbacks: ["fallback"] })).id;
  const team = await h.team({ dailyBudgetUsd: 5 });
  teamId = team.id;
  key = await h.key(team.id);
});

afterEach(() => h.close());

describe("client gone before the answer is committed", () => {
  it.each([false, true])("aborts the upstream call and records aborted/499 (stream: %s)", async (stream) => {
    h.upstream.handle("primary", never);
    const client = new AbortController();
    const pending = h.chat(key, { stream }, { signal: client.signal });
    await until(() => h.upstream.calls.length === 1, "the call to reach the upstream");
    client.abort();
    const res = await pending;

    expect(res).toEqual({ status: 499, headers: {}, body: "" });
    expect(h.upstream.calls[0]!.signal.aborted).toBe(true);
    expect(h.upstream.calls[0]!.signal.reason).toBeInstanceOf(ClientAborted);
    // Not retried, not handed to the fallback.
    expect(h.upstream.calls).toHaveLength(1);
    expect(await h.rows()).toEqual([
      expect.objectContaining({ status: "aborted", http_status: 499, error_type: "client_closed", attempts: 1, served_model: "primary", stream: stream ? 1 : 0, cost_micros: 0, completion_tokens: 0 }),
    ]);
    nothingHeld();
  });

  it.each([false, true])("leaves no timer of the attempt running (stream: %s)", async (stream) => {
    h.clock.useTimers();
    h.upstream.handle("primary", never);
    const client = new AbortController();
    const pending = h.chat(key, { stream }, { signal: client.signal });
    await until(() => h.upstream.calls.length === 1, "the call to reach the upstream");
    // The attempt's first-byte and deadline clocks.
    expect(vi.getTimerCount()).toBe(2);
    client.abort();
    expect((await pending).status).toBe(499);
    // Flushing the usage writer stops its own timer; nothing else may be left.
    expect(await h.rows()).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops retrying when the client leaves during the backoff wait", async () => {
    h.upstream.handle("primary", () => errorAnswer(500, "boom"));
    const client = new AbortController();
    h.clock.onSleep = () => client.abort();
    const res = await h.chat(key, {}, { signal: client.signal });

    expect(res.status).toBe(499);
    expect(h.clock.sleeps).toHaveLength(1);
    expect(h.upstream.calls).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({ status: "aborted", http_status: 499, error_type: "client_closed", attempts: 1 });
    expect(h.gateway.budgets.outstanding(teamId)).toBe(0);
  });
});

describe("client gone mid-stream", () => {
  let upstream: ControlledStream;

  beforeEach(() => {
    h.upstream.handle("primary", () => {
      upstream = controlledStream();
      upstream.send(chunk({ role: "assistant", content: "The quick" }));
      return upstream.response;
    });
  });

  async function openStream(signal?: AbortSignal) {
    const res = await h.chat(key, { stream: true }, { signal });
    if (!("stream" in res)) throw new Error(`expected a stream, got ${res.status}`);
    let text = (await res.stream.next())!;
    upstream.send(chunk({ content: " brown fox" }));
    text += (await res.stream.next())!;
    expect(streamedContent(text)).toBe("The quick brown fox");
    return res.stream;
  }

  async function expectAbortedRow() {
    const completion = countText("The quick brown fox");
    expect(await h.rows()).toEqual([
      expect.objectContaining({
        status: "aborted", http_status: 499, error_type: "client_closed", stream: 1, attempts: 1,
        // What reached the client is billed: the upstream sent no usage, so it is counted.
        prompt_tokens: PROMPT_ESTIMATE, completion_tokens: completion, cost_micros: costMicros(PRICES, PROMPT_ESTIMATE, completion),
      }),
    ]);
    expect((await h.gateway.budgets.snapshot({ id: teamId, dailyBudgetMicros: 5_000_000, monthlyBudgetMicros: null, alertThresholdPct: 80 }, h.clock.now())).day).toMatchObject({
      spentMicros: costMicros(PRICES, PROMPT_ESTIMATE, completion),
      reservedMicros: 0,
    });
  }

  it("cancels the upstream when the door cancels the relay, counting the tokens relayed so far", async () => {
    const relay = await openStream();
    relay.cancel();

    expect(upstream.cancelled).toBe(true);
    expect(h.upstream.calls[0]!.signal.reason).toBeInstanceOf(ClientAborted);
    expect(await relay.next()).toBeNull();
    upstream.send(chunk({ content: " jumps" }));
    await expectAbortedRow();
    nothingHeld();
  });

  it("aborts the upstream when the request's signal aborts while the relay waits for the next event", async () => {
    const client = new AbortController();
    const relay = await openStream(client.signal);
    const waiting = relay.next();
    client.abort();

    expect(await waiting).toBe("");
    expect(await relay.next()).toBeNull();
    expect(upstream.cancelled).toBe(true);
    await expectAbortedRow();
    nothingHeld();
  });
});
