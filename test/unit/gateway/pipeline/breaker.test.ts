/**
 * The circuit breaker through the whole pipeline, in-process: failures over the minimum volume
 * open it, an open upstream is skipped for the fallback without being called, and after the
 * cool-down (the fake clock moved by hand) probes close or re-open it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completion, errorAnswer, type UpstreamHandler } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, until, type Harness } from "../../../helpers/gateway";

const MIN_REQUESTS = 4;
const OPEN_MS = 30_000;
const PROBES = 3;

let h: Harness;
let key: string;
let primaryId: string;
let primaryHealthy = false;

const breaker = () => h.gateway.breakers.state(primaryId, h.clock.now());

async function send(): Promise<{ status: number; content: string; row: Record<string, any> }> {
  const res = await h.chat(key);
  return { status: res.status, content: jsonOf(res).choices?.[0]?.message?.content, row: (await h.rows()).at(-1)! };
}

/** Sends requests until the breaker opens, each served by the fallback. */
async function tripBreaker(): Promise<void> {
  for (let i = 1; i <= MIN_REQUESTS; i++) {
    expect(breaker().state).toBe("closed");
    const r = await send();
    expect(r).toMatchObject({ status: 200, content: "from the fallback" });
    expect(r.row).toMatchObject({ status: "ok", attempts: 2, fallback_used: 1, served_model: "fallback" });
  }
  expect(breaker().state).toBe("open");
}

beforeEach(async () => {
  h = createHarness({ breaker: { minimumRequests: MIN_REQUESTS, openMs: OPEN_MS, halfOpenProbes: PROBES } });
  await h.model("fallback");
  primaryId = (await h.model("primary", { providerId: (await h.provider({ maxAttempts: 1 })).id, fallbacks: ["fallback"] })).id;
  key = await h.key((await h.team()).id);
  primaryHealthy = false;
  h.upstream.handle("primary", () => (primaryHealthy ? completion("from the primary", { prompt_tokens: 5, completion_tokens: 2 }) : errorAnswer(500, "primary is down")));
  h.upstream.handle("fallback", () => completion("from the fallback", { prompt_tokens: 5, completion_tokens: 2 }));
});

afterEach(() => h.close());

describe("circuit breaker", () => {
  it(`opens after ${MIN_REQUESTS} failures and records breaker.open`, async () => {
    await tripBreaker();
    expect(h.upstream.callsTo("primary")).toHaveLength(MIN_REQUESTS);
    const opened = h.events("breaker.open");
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ subject_type: "model", subject_id: primaryId, actor: "system", data: { from: "closed", to: "open", failureRate: 1, requests: MIN_REQUESTS } });
    expect(breaker()).toMatchObject({ openedAt: h.clock.now(), nextProbeAt: h.clock.now() + OPEN_MS });
  });

  it("skips the open upstream: the fallback serves and the primary is not called", async () => {
    await tripBreaker();
    const calls = h.upstream.callsTo("primary").length;
    for (let i = 0; i < 3; i++) {
      const r = await send();
      expect(r).toMatchObject({ status: 200, content: "from the fallback" });
      expect(r.row).toMatchObject({ status: "ok", attempts: 1, fallback_used: 1, served_model: "fallback" });
    }
    expect(h.upstream.callsTo("primary")).toHaveLength(calls);

    // Still open one millisecond before the cool-down ends.
    h.clock.advance(OPEN_MS - 1);
    await send();
    expect(h.upstream.callsTo("primary")).toHaveLength(calls);
    expect(breaker().state).toBe("open");
  });

  it(`probes after the cool-down and closes after ${PROBES} successes`, async () => {
    await tripBreaker();
    primaryHealthy = true;
    h.clock.advance(OPEN_MS);
    for (let i = 1; i <= PROBES; i++) {
      const r = await send();
      expect(r).toMatchObject({ status: 200, content: "from the primary" });
      expect(r.row).toMatchObject({ status: "ok", attempts: 1, fallback_used: 0, served_model: "primary" });
      expect(breaker().state).toBe(i < PROBES ? "half_open" : "closed");
    }
    expect(h.events("breaker.half_open")).toHaveLength(1);
    expect(h.events("breaker.closed")).toEqual([expect.objectContaining({ subject_id: primaryId, data: expect.objectContaining({ from: "half_open", to: "closed" }) })]);
    expect(breaker()).toMatchObject({ requests: 0, failures: 0 });
  });

  it("re-opens when a probe fails, for another full cool-down", async () => {
    await tripBreaker();
    h.clock.advance(OPEN_MS);
    const calls = h.upstream.callsTo("primary").length;
    const r = await send();
    // The probe went to the primary, failed, and the fallback still answered.
    expect(h.upstream.callsTo("primary")).toHaveLength(calls + 1);
    expect(r).toMatchObject({ status: 200, content: "from the fallback" });
    expect(r.row).toMatchObject({ attempts: 2, fallback_used: 1 });
    expect(breaker()).toMatchObject({ state: "open", nextProbeAt: h.clock.now() + OPEN_MS });
    expect(h.events("breaker.open")).toHaveLength(2);
    expect(h.events("breaker.half_open")).toHaveLength(1);
  });

  it(`lets ${PROBES} concurrent probes through in half-open and sends the rest to the fallback`, async () => {
    await tripBreaker();
    h.clock.advance(OPEN_MS);
    const held: Array<() => void> = [];
    const heldProbe: UpstreamHandler = () =>
      new Promise<Response>((resolve) => held.push(() => resolve(completion("from the primary", { prompt_tokens: 5, completion_tokens: 2 }))));
    h.upstream.handle("primary", heldProbe);
    const calls = h.upstream.callsTo("primary").length;
    const served = h.upstream.callsTo("fallback").length;

    const pending = Array.from({ length: PROBES + 2 }, () => h.chat(key));
    await until(() => held.length === PROBES && h.upstream.callsTo("fallback").length === served + 2, "the probes held and the rest served");
    expect(h.upstream.callsTo("primary")).toHaveLength(calls + PROBES);
    for (const release of held) release();
    const answers = (await Promise.all(pending)).map((res) => jsonOf(res).choices[0].message.content);
    expect(answers.filter((a) => a === "from the primary")).toHaveLength(PROBES);
    expect(answers.filter((a) => a === "from the fallback")).toHaveLength(2);
    expect(breaker().state).toBe("closed");
  });
});
