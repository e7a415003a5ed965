/**
 * Rate limits through the whole pipeline, in-process: a model over its own limit is passed over
 * for its fallback, and token limits are charged the request's worst case, n choices of the output
 * ceiling, then corrected to the real usage. The fake clock does not move, so no bucket refills
 * unless a test moves it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import { completion } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, USER_MESSAGE, type Harness } from "../../../helpers/gateway";

const PROMPT_ESTIMATE = estimatePromptTokens({ messages: USER_MESSAGE as never });

let h: Harness;

beforeEach(() => {
  h = createHarness();
  h.upstream.handle(null, (call) => completion(`from ${call.model}`, { prompt_tokens: 8, completion_tokens: 90 }));
});

afterEach(() => h.close());

const servedBy = async (key: string, body: Record<string, unknown> = {}) => {
  const res = await h.chat(key, body);
  return res.status === 200 ? jsonOf(res).choices[0].message.content : res.status;
};

describe("a model's own RPM limit", () => {
  it("passes the primary over for the fallback once its limit is used, until it refills", async () => {
    await h.model("fallback");
    await h.model("primary", { rpmLimit: 1, fallbacks: ["fallback"] });
    const key = await h.key((await h.team()).id);

    expect(await servedBy(key)).toBe("from primary");
    expect(await servedBy(key)).toBe("from fallback");
    expect(h.upstream.callsTo("primary")).toHaveLength(1);
    expect((await h.rows())[1]).toMatchObject({ status: "ok", attempts: 1, fallback_used: 1, served_model: "fallback" });

    h.clock.advance(60_000);
    expect(await servedBy(key)).toBe("from primary");
  });

  it("answers 429 for the model when every target is over its limit, without calling any", async () => {
    await h.model("fallback", { rpmLimit: 1 });
    await h.model("primary", { rpmLimit: 1, fallbacks: ["fallback"] });
    const key = await h.key((await h.team()).id);
    await servedBy(key);
    await servedBy(key);
    const calls = h.upstream.calls.length;

    const res = await h.chat(key);
    expect(res.status).toBe(429);
    expect(jsonOf(res).error).toMatchObject({ type: "requests", code: "rate_limit_exceeded", message: "Rate limit reached for this model: 1 requests per minute. Try again in 60 s." });
    expect(res.headers["retry-after"]).toBe("60");
    expect(h.upstream.calls).toHaveLength(calls);
    expect((await h.rows()).at(-1)).toMatchObject({ status: "rate_limited", http_status: 429, error_type: "rate_limit_exceeded", attempts: 0 });
  });
});

describe("token limits charge n × the output ceiling", () => {
  it("charges the team's TPM the prompt estimate plus n × max_tokens, then refunds to the real usage", async () => {
    await h.model("primary");
    const key = await h.key((await h.team({ tpmLimit: 1000 })).id);

    const first = await h.chat(key, { n: 3, max_tokens: 300 });
    expect(first.status).toBe(200);
    expect(first.headers["x-ratelimit-remaining-tokens"]).toBe(String(1000 - (PROMPT_ESTIMATE + 3 * 300)));
    expect(h.upstream.calls[0]!.body).toMatchObject({ n: 3, max_tokens: 300, max_completion_tokens: 300 });

    // Four choices of 300 can never fit 1000 tokens a minute.
    const tooLarge = await h.chat(key, { n: 4, max_tokens: 300 });
    expect(tooLarge.status).toBe(429);
    expect(jsonOf(tooLarge).error).toMatchObject({
      type: "tokens",
      code: "request_too_large",
      message: `Request too large: it needs ${PROMPT_ESTIMATE + 4 * 300} tokens but your team allows 1000 tokens per minute.`,
    });
    expect(h.upstream.calls).toHaveLength(1);

    // The first request settled at its real 98 tokens; the next is charged its own worst case.
    const third = await h.chat(key, { max_tokens: 100 });
    expect(third.headers["x-ratelimit-remaining-tokens"]).toBe(String(1000 - 98 - (PROMPT_ESTIMATE + 100)));
    expect((await h.rows()).map((r) => [r.status, r.error_type])).toEqual([["ok", null], ["rate_limited", "request_too_large"], ["ok", null]]);
  });

  it("charges a model's own TPM the same worst case, so a request too large for it goes to the fallback", async () => {
    await h.model("fallback");
    await h.model("primary", { tpmLimit: 1000, fallbacks: ["fallback"] });
    const key = await h.key((await h.team()).id);

    expect(await servedBy(key, { n: 3, max_tokens: 300 })).toBe("from primary");
    h.clock.advance(60_000);
    expect(await servedBy(key, { n: 4, max_tokens: 300 })).toBe("from fallback");
    expect((await h.rows())[1]).toMatchObject({ status: "ok", attempts: 1, fallback_used: 1, served_model: "fallback" });
  });
});
