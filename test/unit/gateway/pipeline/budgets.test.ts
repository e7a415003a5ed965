/**
 * Team budgets through the whole pipeline, in-process: a burst of concurrent requests can never
 * spend past the cap, refusals say when the period resets by the gateway's clock, and a stream
 * whose upstream ignores max_tokens is cut at the output its reservation covers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { costMicros, usdToMicros } from "@/lib/gateway/cost";
import { estimatePromptTokens } from "@/lib/gateway/prompt-estimate";
import { countText } from "@/lib/gateway/tokens";
import { chunk, completion, controlledStream, type ControlledStream } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, readStream, sseData, streamedContent, streamError, until, USER_MESSAGE, type Harness } from "../../../helpers/gateway";

// $1 in / $10 out per million tokens.
const PRICES = { inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 10_000_000 };
const PROMPT_ESTIMATE = estimatePromptTokens({ messages: USER_MESSAGE as never });
const MAX_TOKENS = 1000;
const WORST = costMicros(PRICES, PROMPT_ESTIMATE, MAX_TOKENS);

let h: Harness;

async function setup(opts: { start?: number; team: Record<string, unknown> }) {
  h = createHarness({ start: opts.start });
  const model = await h.model("primary", { inputPricePerMTok: 1, outputPricePerMTok: 10 });
  const team = await h.team(opts.team);
  const micros = (usd: number | null) => (usd === null ? null : usdToMicros(usd));
  const limits = { id: team.id, dailyBudgetMicros: micros(team.dailyBudgetUsd), monthlyBudgetMicros: micros(team.monthlyBudgetUsd), alertThresholdPct: team.alertThresholdPct };
  return { team, limits, modelId: model.id, key: await h.key(team.id) };
}

afterEach(() => h.close());

describe("a concurrent burst against a daily cap", () => {
  const CAP_MICROS = 50_000;
  const BURST = 50;
  const REAL = { prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 50 };

  it("admits only the worst cases that fit, refuses the rest until midnight UTC, and never spends past the cap", async () => {
    const { team, limits, key } = await setup({ team: { dailyBudgetUsd: CAP_MICROS / 1e6 } });
    const fit = Math.floor(CAP_MICROS / WORST);
    expect(fit).toBe(4);
    // Every admitted call is held at the upstream until the whole burst is decided, so no
    // reservation is settled early to make room for another.
    const held: Array<() => void> = [];
    h.upstream.handle("primary", () => new Promise<Response>((resolve) => held.push(() => resolve(completion("short", REAL)))));
    let refused = 0;
    const pending = Array.from({ length: BURST }, () =>
      h.chat(key, { max_tokens: MAX_TOKENS }).then((res) => {
        if (res.status !== 200) refused++;
        return res;
      }),
    );
    await until(() => held.length + refused === BURST, "every request to be admitted or refused");
    expect(held).toHaveLength(fit);
    expect((await h.gateway.budgets.snapshot(limits, h.clock.now())).day).toMatchObject({ reservedMicros: fit * WORST, spentMicros: 0 });

    for (const release of held) release();
    const answers = await Promise.all(pending);
    const refusals = answers.filter((r) => r.status !== 200);
    expect(refusals).toHaveLength(BURST - fit);
    for (const res of refusals) {
      expect(res.status).toBe(429);
      // START is 12:00 UTC: twelve hours to the reset.
      expect(res.headers["retry-after"]).toBe(String(12 * 3600));
      expect(jsonOf(res).error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded", param: null });
    }
    expect(jsonOf(refusals[0]!).error.message).toBe(
      `Your team's daily budget of $0.05 is used up ($0.00 spent, $${(fit * WORST) / 1e6} reserved by requests in flight). It resets at 2025-06-16T00:00:00.000Z.`,
    );

    const rows = await h.rows();
    expect(rows).toHaveLength(BURST);
    const over = rows.filter((r) => r.status === "budget_exceeded");
    expect(over).toHaveLength(BURST - fit);
    for (const row of over) expect(row).toMatchObject({ http_status: 429, error_type: "budget_exceeded", attempts: 0, cost_micros: 0 });
    const spent = rows.reduce((sum, r) => sum + r.cost_micros, 0);
    expect(spent).toBe(fit * costMicros(PRICES, REAL.prompt_tokens, REAL.completion_tokens));
    expect(spent).toBeLessThanOrEqual(CAP_MICROS);
    expect((await h.gateway.budgets.snapshot(limits, h.clock.now())).day).toMatchObject({ spentMicros: spent, reservedMicros: 0 });
    expect(h.gateway.budgets.outstanding(team.id)).toBe(0);
  });
});

describe("Retry-After runs to the period's reset by the gateway's clock", () => {
  it("to 00:00 UTC for a daily cap, rounded up to whole seconds", async () => {
    const { key } = await setup({ start: Date.UTC(2025, 5, 15, 23, 59, 30, 500), team: { dailyBudgetUsd: 0.001 } });
    const res = await h.chat(key, { max_tokens: MAX_TOKENS });

    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("30");
    expect(jsonOf(res).error.message).toContain("daily budget of $0.001 is used up");
    expect(jsonOf(res).error.message).toContain("It resets at 2025-06-16T00:00:00.000Z.");
    expect(h.upstream.calls).toHaveLength(0);
  });

  it("to the 1st of next month for a monthly cap", async () => {
    const { key } = await setup({ start: Date.UTC(2025, 5, 30, 18, 0, 0), team: { monthlyBudgetUsd: 0.001 } });
    const res = await h.chat(key, { max_tokens: MAX_TOKENS });

    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe(String(6 * 3600));
    expect(jsonOf(res).error.message).toContain("monthly budget of $0.001 is used up");
    expect(jsonOf(res).error.message).toContain("It resets at 2025-07-01T00:00:00.000Z.");
  });
});

describe("a stream whose upstream ignores max_tokens", () => {
  it("is cut at the ceiling its reservation covers, ends with output_ceiling_reached, and the call is aborted", async () => {
    const { limits, modelId, key } = await setup({ team: { dailyBudgetUsd: 1 } });
    const words = ["One", " two", " three", " four", " five", " six", " seven", " eight"];
    let upstream!: ControlledStream;
    h.upstream.handle("primary", () => {
      upstream = controlledStream();
      upstream.send(chunk({ role: "assistant", content: words[0] }));
      for (const w of words.slice(1)) upstream.send(chunk({ content: w }));
      return upstream.response;
    });
    const res = await h.chat(key, { stream: true, max_tokens: 5 });
    const text = await readStream(res);

    // The upstream was told the ceiling in both fields.
    expect(h.upstream.calls[0]!.body).toMatchObject({ max_tokens: 5, max_completion_tokens: 5 });
    const relayed = words.slice(0, 5).join("");
    expect(countText(relayed)).toBe(5);
    expect(streamedContent(text)).toBe(relayed);
    const events = sseData(text);
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-2)!).choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "length" }]);
    expect(streamError(text)).toMatchObject({ type: "upstream_error", code: "output_ceiling_reached" });
    expect(streamError(text)!.message).toContain("5 output tokens, the most this request's budget reservation covers");
    expect(upstream.cancelled).toBe(true);
    expect(h.upstream.calls[0]!.signal.aborted).toBe(true);

    const cost = costMicros(PRICES, PROMPT_ESTIMATE, 5);
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 502, error_type: "output_ceiling_reached", completion_tokens: 5, cost_micros: cost });
    expect((await h.gateway.budgets.snapshot(limits, h.clock.now())).day).toMatchObject({ spentMicros: cost, reservedMicros: 0 });
    // The gateway cut it, not the upstream failing: the breaker holds nothing against it.
    expect(h.gateway.breakers.state(modelId, h.clock.now())).toMatchObject({ requests: 0, failures: 0 });
  });
});
