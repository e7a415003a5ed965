/**
 * POST /v1/embeddings through the whole pipeline, in-process: the answer relayed byte for byte,
 * one usage row per request, a model asked for what it does not serve refused by name (both
 * ways), fallbacks that do not serve embeddings passed over, and the input as the whole of the
 * budget reservation and the TPM charge.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRoute } from "@/lib/admin/routes";
import { costMicros } from "@/lib/gateway/cost";
import { countText } from "@/lib/gateway/tokens";
import { completion, embeddingList, errorAnswer, inTurn } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, type Harness } from "../../../helpers/gateway";

const EMBED = { endpoints: ["embeddings"], inputPricePerMTok: 0.5, outputPricePerMTok: 0 };
const PRICES = { inputMicrosPerMTok: 500_000, outputMicrosPerMTok: 0 };

let h: Harness;
let key: string;

beforeEach(async () => {
  h = createHarness();
  key = await h.key((await h.team()).id);
});

afterEach(() => h.close());

describe("an embeddings request", () => {
  it("goes to {base}/embeddings with the client's fields, and its answer comes back byte for byte", async () => {
    await h.model("primary", { ...EMBED, upstreamModel: "text-embedding-3-small" });
    const answer = '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.6,0.8]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":3,"total_tokens":3},"extra":{"kept":true}}';
    h.upstream.handle(null, () => new Response(answer, { headers: { "content-type": "application/json" } }));
    const res = await h.embeddings(key, { input: "the cat sat", dimensions: 2, encoding_format: "float", user: "u-1", custom_field: 7 });

    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers["x-switchyard-model"]).toBe("primary");
    expect("body" in res && res.body).toBe(answer);
    const [call] = h.upstream.calls;
    expect(call!.url).toMatch(/^http:\/\/upstream-\d+\.test\/v1\/embeddings$/);
    expect(call!.body).toEqual({ model: "text-embedding-3-small", input: "the cat sat", dimensions: 2, encoding_format: "float", user: "u-1", custom_field: 7 });
    // Nothing of chat's: no output limit, no stream options.
    expect(call!.body).not.toHaveProperty("max_tokens");

    const rows = await h.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      endpoint: "embeddings", status: "ok", http_status: 200, requested_model: "primary", served_model: "primary", stream: 0,
      prompt_tokens: 3, completion_tokens: 0, cost_micros: costMicros(PRICES, 3, 0), ttft_ms: null, attempts: 1,
    });
  });

  it("bills the input estimate when the upstream reports no usage", async () => {
    await h.model("primary", EMBED);
    h.upstream.handle(null, () => embeddingList(2, null));
    const input = ["first text to embed", "second one"];
    const res = await h.embeddings(key, { input });

    expect(res.status).toBe(200);
    const tokens = countText(input[0]!) + countText(input[1]!);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", prompt_tokens: tokens, completion_tokens: 0, cost_micros: costMicros(PRICES, tokens, 0) });
  });

  it("answers a body that is not an embeddings list with a 502 after retrying", async () => {
    await h.model("primary", { ...EMBED, providerId: (await h.provider({ maxAttempts: 2 })).id });
    h.upstream.handle(null, () => Response.json({ choices: [] }));
    const res = await h.embeddings(key);

    expect(res.status).toBe(502);
    expect(jsonOf(res).error.message).toBe("The upstream returned a body the gateway cannot read.");
    expect(h.upstream.calls).toHaveLength(2);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", status: "error", http_status: 502, attempts: 2 });
  });
});

describe("what a model serves", () => {
  it("refuses a chat model asked for embeddings with a 400 naming it, calling nothing", async () => {
    await h.model("primary");
    const res = await h.embeddings(key);

    expect(res.status).toBe(400);
    expect(jsonOf(res).error).toEqual({
      type: "invalid_request_error",
      code: "unsupported_model",
      param: "model",
      message: "The model `primary` does not serve embeddings; it serves chat. Ask for a model whose endpoints include embeddings.",
    });
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", status: "rejected", http_status: 400, error_type: "unsupported_model", requested_model: "primary", served_model: null });
  });

  it("refuses an embeddings model asked for a chat completion, the same way", async () => {
    await h.model("primary", EMBED);
    const res = await h.chat(key);

    expect(res.status).toBe(400);
    expect(jsonOf(res).error).toMatchObject({ param: "model", code: "unsupported_model", message: expect.stringContaining("`primary` does not serve chat; it serves embeddings") });
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "chat", status: "rejected", http_status: 400 });
  });

  it("lets a model serving both answer both", async () => {
    await h.model("primary", { endpoints: ["chat", "embeddings"] });
    h.upstream.handle(null, (call) => (call.url.endsWith("/embeddings") ? embeddingList(1, 1) : completion("hi", { prompt_tokens: 8, completion_tokens: 1 })));

    expect((await h.embeddings(key)).status).toBe(200);
    expect((await h.chat(key)).status).toBe(200);
    expect((await h.rows()).map((r) => r.endpoint)).toEqual(["embeddings", "chat"]);
  });

  it("judges a route by its control model, and skips a candidate that does not serve the request", async () => {
    await h.model("embed-a", EMBED);
    await h.model("chatty");
    await createRoute(h.admin, { name: "search", control: "embed-a", candidate: "chatty", candidateWeight: 100 });
    h.upstream.handle(null, () => embeddingList(1, 2));

    const res = await h.embeddings(key, { model: "search" });
    expect(res.status).toBe(200);
    expect(res.headers["x-switchyard-model"]).toBe("embed-a");
    expect(h.upstream.callsTo("chatty")).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", variant: "candidate", served_model: "embed-a" });

    const chat = await h.chat(key, { model: "search" });
    expect(chat.status).toBe(400);
    expect(jsonOf(chat).error.message).toContain("`search` does not serve chat");
  });

  it("answers 400, not 502, when the provider kind has no embeddings API", async () => {
    await h.model("primary", { endpoints: ["chat"] });
    // The admin API refuses this combination; set it behind its back to reach the adapter's check.
    h.db.$client.prepare("update providers set kind = 'anthropic'").run();
    h.db.$client.prepare(`update models set endpoints = '["embeddings"]'`).run();
    h.admin.catalog.invalidate();
    const res = await h.embeddings(key);

    expect(res.status).toBe(400);
    expect(jsonOf(res).error).toMatchObject({ param: "model", code: "unsupported_model", message: "The model `primary` is served by a provider of kind 'anthropic', which has no embeddings API." });
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ status: "rejected", http_status: 400, attempts: 1 });
  });
});

describe("retries and fallbacks", () => {
  it("retries a 500 and falls back past a fallback that serves only chat", async () => {
    await h.model("chatty");
    await h.model("embed-b", { ...EMBED, inputPricePerMTok: 1 });
    await h.model("primary", { ...EMBED, providerId: (await h.provider({ maxAttempts: 2 })).id, fallbacks: ["chatty", "embed-b"] });
    h.upstream.handle("primary", () => errorAnswer(503, "down"));
    h.upstream.handle("embed-b", () => embeddingList(1, 4));
    const res = await h.embeddings(key);

    expect(res.status).toBe(200);
    expect(res.headers["x-switchyard-model"]).toBe("embed-b");
    expect(h.upstream.callsTo("primary")).toHaveLength(2);
    expect(h.upstream.callsTo("chatty")).toHaveLength(0);
    expect(h.clock.sleeps).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({
      endpoint: "embeddings", status: "ok", attempts: 3, fallback_used: 1, served_model: "embed-b", prompt_tokens: 4,
      cost_micros: costMicros({ inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 0 }, 4, 0),
    });
  });

  it("answers the second attempt after a 500", async () => {
    await h.model("primary", EMBED);
    h.upstream.handle(null, inTurn(() => errorAnswer(500, "boom"), () => embeddingList(1, 2)));
    expect((await h.embeddings(key)).status).toBe(200);
    expect((await h.rows())[0]).toMatchObject({ status: "ok", attempts: 2, fallback_used: 0 });
  });

  it("passes an upstream 400 on without retrying or falling back", async () => {
    await h.model("embed-b", EMBED);
    await h.model("primary", { ...EMBED, fallbacks: ["embed-b"] });
    h.upstream.handle(null, () => Response.json({ error: { message: "This model does not support specifying dimensions.", type: "invalid_request_error", param: null, code: null } }, { status: 400 }));
    const res = await h.embeddings(key, { dimensions: 8 });

    expect(res.status).toBe(400);
    expect(jsonOf(res).error.message).toBe("This model does not support specifying dimensions.");
    expect(h.upstream.calls).toHaveLength(1);
    expect((await h.rows())[0]).toMatchObject({ status: "rejected", http_status: 400, attempts: 1 });
  });
});

describe("budgets and token limits", () => {
  const INPUT = "The quick brown fox jumps over the lazy dog, twice over and once more for luck.";
  const TOKENS = countText(INPUT);

  it("charges a team's TPM the input tokens only", async () => {
    await h.model("primary", EMBED);
    const small = await h.key((await h.team({ tpmLimit: TOKENS - 1 })).id);
    const res = await h.embeddings(small, { input: INPUT });

    expect(res.status).toBe(429);
    expect(jsonOf(res).error).toMatchObject({ code: "request_too_large", message: `Request too large: it needs ${TOKENS} tokens but your team allows ${TOKENS - 1} tokens per minute.` });

    // Exactly the input fits; a second one the same minute does not.
    const fits = await h.key((await h.team({ tpmLimit: TOKENS })).id);
    h.upstream.handle(null, () => embeddingList(1, TOKENS));
    expect((await h.embeddings(fits, { input: INPUT })).status).toBe(200);
    const again = await h.embeddings(fits, { input: INPUT });
    expect(again.status).toBe(429);
    expect(jsonOf(again).error.code).toBe("rate_limit_exceeded");
  });

  it("counts a token array as its length", async () => {
    await h.model("primary", EMBED);
    const limited = await h.key((await h.team({ tpmLimit: 5 })).id);
    const res = await h.embeddings(limited, { input: [[1, 2, 3], [4, 5, 6]] });
    expect(jsonOf(res).error.message).toBe("Request too large: it needs 6 tokens but your team allows 5 tokens per minute.");
  });

  it("reserves the input's cost and refuses what the budget cannot cover", async () => {
    // $1 per million input tokens: the input costs TOKENS micro-USD.
    await h.model("primary", { ...EMBED, inputPricePerMTok: 1 });
    const team = await h.team({ dailyBudgetUsd: (TOKENS - 1) / 1e6 });
    const poor = await h.key(team.id);
    const res = await h.embeddings(poor, { input: INPUT });

    expect(res.status).toBe(429);
    expect(jsonOf(res).error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded" });
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", status: "budget_exceeded", http_status: 429 });

    // A shorter input fits, and its real cost is what is spent.
    h.upstream.handle(null, () => embeddingList(1, 3));
    expect((await h.embeddings(poor, { input: "the cat sat" })).status).toBe(200);
    const limits = { id: team.id, dailyBudgetMicros: TOKENS - 1, monthlyBudgetMicros: null, alertThresholdPct: team.alertThresholdPct };
    expect((await h.gateway.budgets.snapshot(limits, h.clock.now())).day).toMatchObject({ spentMicros: 3, reservedMicros: 0 });
  });
});

describe("validation", () => {
  beforeEach(async () => {
    await h.model("primary", EMBED);
  });

  it.each([
    ["no input", { input: undefined }, "input", "Missing required parameter: 'input'."],
    ["an empty string", { input: "" }, "input", "'input' must not be an empty string."],
    ["an empty array", { input: [] }, "input", "'input' must not be an empty array."],
    ["an empty string among others", { input: ["a", ""] }, "input[1]", "'input[1]' must not be an empty string."],
    ["mixed strings and numbers", { input: ["a", 1] }, "input[1]", "'input[1]' must be a string, like the other inputs."],
    ["a number", { input: 42 }, "input", expect.stringContaining("'input' must be a string, an array of strings")],
    ["an object", { input: [{ text: "a" }] }, "input", expect.stringContaining("'input' must be a string")],
    ["a fractional token id", { input: [1, 2.5] }, "input[1]", expect.stringContaining("must be a token id")],
    ["a negative token id", { input: [[1], [-3]] }, "input[1][0]", expect.stringContaining("must be a token id")],
    ["an empty token array", { input: [[1], []] }, "input[1]", "'input[1]' must not be an empty array."],
    ["too many inputs", { input: Array.from({ length: 2049 }, () => "x") }, "input", "'input' may hold at most 2048 items; it has 2049."],
    ["zero dimensions", { dimensions: 0 }, "dimensions", "'dimensions' must be a positive whole number."],
    ["fractional dimensions", { dimensions: 1.5 }, "dimensions", "'dimensions' must be a positive whole number."],
    ["an unknown encoding", { encoding_format: "int8" }, "encoding_format", "'encoding_format' must be 'float' or 'base64'."],
    ["no model", { model: undefined }, "model", "Missing required parameter: 'model'."],
  ])("refuses %s with a 400 naming the parameter", async (_name, body, param, message) => {
    const res = await h.embeddings(key, body);
    expect(res.status).toBe(400);
    expect(jsonOf(res).error).toEqual({ type: "invalid_request_error", param, message, code: expect.any(String) });
    expect(h.upstream.calls).toHaveLength(0);
    expect((await h.rows())[0]).toMatchObject({ endpoint: "embeddings", status: "rejected", http_status: 400 });
  });

  it("refuses 10,000 strings over the body limit with a 413", async () => {
    const input = Array.from({ length: 10_000 }, (_, i) => `text number ${i} `.padEnd(120, "x"));
    const res = await h.embeddings(key, { input });
    expect(res.status).toBe(413);
    expect(jsonOf(res).error.code).toBe("request_too_large");
  });

  it("accepts every input shape", async () => {
    h.upstream.handle(null, (call) => embeddingList(Array.isArray(call.body.input) && typeof call.body.input[0] !== "number" ? call.body.input.length : 1, 1));
    for (const input of ["one", ["one", "two"], [1, 2, 3], [[1, 2], [3]]]) expect((await h.embeddings(key, { input })).status).toBe(200);
    expect(h.upstream.calls.map((c) => c.body.input)).toEqual(["one", ["one", "two"], [1, 2, 3], [[1, 2], [3]]]);
  });
});
