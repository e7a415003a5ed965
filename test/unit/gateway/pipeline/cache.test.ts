/**
 * The exact-match response cache through the whole pipeline, in-process, over the server's own
 * table: what may be cached, hits answered without the upstream or the budget, either format from
 * either, per-request directives, entries per team, failures never kept, expiry and the size cap.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { completion, embeddingList, errorAnswer, sseAnswer, chunk, usageChunk } from "../../../helpers/fake-upstream";
import { createHarness, gatewayRequest, jsonOf, readStream, streamedContent, type Harness } from "../../../helpers/gateway";

let h: Harness;
let key: string;
let teamId: string;
const DETERMINISTIC = { temperature: 0 };

async function setup(cache: Record<string, unknown> | null, opts: { cacheMaxBytes?: number } = {}) {
  h = createHarness(opts);
  await h.model("primary", { inputPricePerMTok: 1, outputPricePerMTok: 2 });
  const team = await h.team({ dailyBudgetUsd: 1, responseCache: cache });
  teamId = team.id;
  key = await h.key(team.id);
  h.upstream.handle("primary", () => completion("cached words", { prompt_tokens: 100, completion_tokens: 50 }));
}

afterEach(() => h.close());

const spent = async () => (await h.gateway.budgets.snapshot({ id: teamId, dailyBudgetMicros: 1_000_000, monthlyBudgetMicros: null, alertThresholdPct: 80 }, h.clock.now())).day.spentMicros;

describe("a team with the cache on for deterministic requests", () => {
  beforeEach(() => setup({ mode: "deterministic", ttlSeconds: 600 }));

  it("answers the same request a second time from the cache: no upstream call, no spend, the saving recorded", async () => {
    const first = await h.chat(key, DETERMINISTIC);
    expect(first.headers["x-switchyard-cache"]).toBe("miss");
    const second = await h.chat(key, DETERMINISTIC);
    expect(second.status).toBe(200);
    expect(second.headers["x-switchyard-cache"]).toBe("hit");
    expect(jsonOf(second)).toEqual(jsonOf(first));
    expect(h.upstream.calls).toHaveLength(1);
    const [miss, hit] = await h.rows();
    expect(miss).toMatchObject({ cache: "miss", cost_micros: 200, saved_micros: 0 });
    expect(hit).toMatchObject({ cache: "hit", status: "ok", cost_micros: 0, saved_micros: 200, served_model: "primary", prompt_tokens: 100, completion_tokens: 50, attempts: 0 });
    expect(await spent()).toBe(200);
  });

  it("keys on the canonical request: key order and delivery fields do not matter, the content does", async () => {
    await h.chat(key, { temperature: 0, max_tokens: 20, user: "a" });
    const reordered = await h.chat(key, { max_tokens: 20, user: "b", temperature: 0 });
    expect(reordered.headers["x-switchyard-cache"]).toBe("hit");
    const different = await h.chat(key, { temperature: 0, max_tokens: 21 });
    expect(different.headers["x-switchyard-cache"]).toBe("miss");
    expect(h.upstream.calls).toHaveLength(2);
  });

  it("does not cache sampling requests, but does a seeded one", async () => {
    await h.chat(key, { temperature: 0.7 });
    await h.chat(key, { temperature: 0.7 });
    expect(h.upstream.calls).toHaveLength(2);
    await h.chat(key, { temperature: 0.7, seed: 42 });
    expect((await h.chat(key, { temperature: 0.7, seed: 42 })).headers["x-switchyard-cache"]).toBe("hit");
    expect(h.upstream.calls).toHaveLength(3);
  });

  it("answers a stream from a cached whole answer, and a whole answer from a cached stream", async () => {
    await h.chat(key, DETERMINISTIC);
    const streamed = await h.chat(key, { ...DETERMINISTIC, stream: true, stream_options: { include_usage: true } });
    expect(streamed.headers["x-switchyard-cache"]).toBe("hit");
    const text = await readStream(streamed);
    expect(streamedContent(text)).toBe("cached words");
    expect(text).toContain('"usage":{"prompt_tokens":100,"completion_tokens":50');
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);

    h.upstream.handle("primary", () => sseAnswer([chunk({ role: "assistant", content: "" }), chunk({ content: "stream " }), chunk({ content: "words" }), chunk({}, "stop"), usageChunk(9, 2), "[DONE]"]));
    const other = { temperature: 0, messages: [{ role: "user", content: "another question" }] };
    await readStream(await h.chat(key, { ...other, stream: true }));
    const whole = await h.chat(key, other);
    expect(whole.headers["x-switchyard-cache"]).toBe("hit");
    expect(jsonOf(whole).choices[0]).toMatchObject({ message: { role: "assistant", content: "stream words" }, finish_reason: "stop" });
    expect(jsonOf(whole).usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 2 });
  });

  it("obeys x-switchyard-cache: off skips it, refresh asks the upstream again and keeps the new answer", async () => {
    await h.chat(key, DETERMINISTIC);
    const off = await h.gateway.chatCompletions(request({ ...DETERMINISTIC }, "off"));
    expect(off.headers["x-switchyard-cache"]).toBe("miss");
    h.upstream.handle("primary", () => completion("fresh words", { prompt_tokens: 100, completion_tokens: 50 }));
    const refreshed = await h.gateway.chatCompletions(request({ ...DETERMINISTIC }, "refresh"));
    expect(jsonOf(refreshed).choices[0].message.content).toBe("fresh words");
    const after = await h.chat(key, DETERMINISTIC);
    expect(after.headers["x-switchyard-cache"]).toBe("hit");
    expect(jsonOf(after).choices[0].message.content).toBe("fresh words");
    expect(h.upstream.calls).toHaveLength(3);
  });

  it("never keeps a failed answer or a cut stream", async () => {
    h.upstream.handle("primary", () => errorAnswer(400, "bad request", {}, "invalid_request_error"));
    expect((await h.chat(key, DETERMINISTIC)).status).toBe(400);
    h.upstream.handle("primary", () => sseAnswer([chunk({ role: "assistant", content: "" }), chunk({ content: "half" })]));
    await readStream(await h.chat(key, { ...DETERMINISTIC, stream: true }));
    h.upstream.handle("primary", () => completion("good", { prompt_tokens: 1, completion_tokens: 1 }));
    expect((await h.chat(key, DETERMINISTIC)).headers["x-switchyard-cache"]).toBe("miss");
    expect(h.db.$client.prepare("select count(*) n from response_cache").get()).toEqual({ n: 1 });
  });

  it("expires entries after their time to live", async () => {
    await h.chat(key, DETERMINISTIC);
    h.clock.advance(599_000);
    expect((await h.chat(key, DETERMINISTIC)).headers["x-switchyard-cache"]).toBe("hit");
    h.clock.advance(2_000);
    expect((await h.chat(key, DETERMINISTIC)).headers["x-switchyard-cache"]).toBe("miss");
  });

  it("caches embeddings, which are deterministic by nature, and answers them byte for byte", async () => {
    await h.model("embed", { endpoints: ["embeddings"], inputPricePerMTok: 1, outputPricePerMTok: 0 });
    h.upstream.handle("embed", () => embeddingList(1, 4));
    const ask = () => h.gateway.embeddings(gatewayRequest({ model: "embed", input: "the cat sat" }, { key }));
    const first = await ask();
    const second = await ask();
    expect(second.headers["x-switchyard-cache"]).toBe("hit");
    expect("body" in second && second.body).toBe("body" in first && first.body);
    expect(h.upstream.callsTo("embed")).toHaveLength(1);
    expect((await h.rows()).at(-1)).toMatchObject({ endpoint: "embeddings", cache: "hit", cost_micros: 0, saved_micros: 4 });
  });

  it("never shares an entry with another team", async () => {
    await h.chat(key, DETERMINISTIC);
    const other = await h.team({ responseCache: { mode: "all", ttlSeconds: 600 } });
    const res = await h.chat(await h.key(other.id), DETERMINISTIC);
    expect(res.headers["x-switchyard-cache"]).toBe("miss");
    expect(h.upstream.calls).toHaveLength(2);
  });

  function request(body: Record<string, unknown>, directive: string) {
    const headers = new Headers({ authorization: `Bearer ${key}`, "x-switchyard-cache": directive });
    const text = JSON.stringify({ model: "primary", messages: [{ role: "user", content: "hello" }], ...body });
    return { headers, json: async () => JSON.parse(text), signal: new AbortController().signal };
  }
});

describe("cache settings", () => {
  it("sends no cache header and keeps nothing for a team with the cache off", async () => {
    await setup(null);
    const res = await h.chat(key, DETERMINISTIC);
    expect(res.headers["x-switchyard-cache"]).toBeUndefined();
    await h.chat(key, DETERMINISTIC);
    expect(h.upstream.calls).toHaveLength(2);
    expect((await h.rows()).map((r) => r.cache)).toEqual([null, null]);
  });

  it("caches sampling requests too in mode all", async () => {
    await setup({ mode: "all", ttlSeconds: 60 });
    await h.chat(key, { temperature: 1 });
    expect((await h.chat(key, { temperature: 1 })).headers["x-switchyard-cache"]).toBe("hit");
  });

  it("keeps the total under its size cap, dropping the least recently used entry", async () => {
    await setup({ mode: "all", ttlSeconds: 600 }, { cacheMaxBytes: 1_000 });
    const ask = (n: number) => h.chat(key, { messages: [{ role: "user", content: `question ${n}` }] });
    for (let n = 0; n < 6; n++) {
      await ask(n);
      h.clock.advance(1_000);
    }
    const { n, bytes } = h.db.$client.prepare("select count(*) n, sum(size_bytes) bytes from response_cache").get() as { n: number; bytes: number };
    expect(bytes).toBeLessThanOrEqual(1_000);
    expect(n).toBeLessThan(6);
    // The newest is kept, the oldest went first.
    expect((await ask(5)).headers["x-switchyard-cache"]).toBe("hit");
    expect((await ask(0)).headers["x-switchyard-cache"]).toBe("miss");
  });
});
