/**
 * Fallbacks through the whole pipeline, in-process: a primary that stays down hands the request
 * to its fallback, priced at what served it; when every target is down the client gets one 502
 * and the database one row.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { completion, errorAnswer } from "../../../helpers/fake-upstream";
import { createHarness, jsonOf, type Harness } from "../../../helpers/gateway";

let h: Harness;
let key: string;
let teamId: string;
let fallbackProvider: string;

beforeEach(async () => {
  h = createHarness();
  fallbackProvider = (await h.provider()).id;
  await h.model("fallback", { providerId: fallbackProvider, inputPricePerMTok: 1, outputPricePerMTok: 2 });
  await h.model("primary", { providerId: (await h.provider({ maxAttempts: 3 })).id, fallbacks: ["fallback"] });
  const team = await h.team({ dailyBudgetUsd: 10 });
  teamId = team.id;
  key = await h.key(team.id);
});

afterEach(() => h.close());

const team = () => ({ id: teamId, dailyBudgetMicros: 10_000_000, monthlyBudgetMicros: null, alertThresholdPct: 80 });

describe("fallbacks", () => {
  it("serves from the fallback once the primary has failed maxAttempts times", async () => {
    h.upstream.handle("primary", () => errorAnswer(503, "primary is down"));
    h.upstream.handle("fallback", () => completion("from the fallback", { prompt_tokens: 7, completion_tokens: 4 }));
    const res = await h.chat(key);

    expect(res.status).toBe(200);
    expect(res.headers["x-switchyard-model"]).toBe("fallback");
    expect(jsonOf(res).choices[0].message.content).toBe("from the fallback");
    expect(h.upstream.callsTo("primary")).toHaveLength(3);
    expect(h.upstream.callsTo("fallback")).toHaveLength(1);
    // The fallback is asked for its own upstream model.
    expect(h.upstream.callsTo("fallback")[0]!.body.model).toBe("fallback");
    // Two backoffs between the primary's three attempts; none before the fallback.
    expect(h.clock.sleeps).toHaveLength(2);

    const rows = await h.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: "ok", http_status: 200, attempts: 4, fallback_used: 1, requested_model: "primary", served_model: "fallback",
      provider_id: fallbackProvider, prompt_tokens: 7, completion_tokens: 4,
      // Billed at the prices of the model that served.
      cost_micros: costMicros({ inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 2_000_000 }, 7, 4),
    });
    expect((await h.gateway.budgets.snapshot(team(), h.clock.now())).day).toMatchObject({ spentMicros: rows[0]!.cost_micros, reservedMicros: 0 });
  });

  it("answers 502 with one error row when every target is down, and leaves nothing reserved", async () => {
    h.upstream.handle(null, (call) => errorAnswer(500, `${call.model} is down`));
    const res = await h.chat(key);

    expect(res.status).toBe(502);
    const body = jsonOf(res);
    expect(body.error).toMatchObject({ type: "upstream_error", code: "upstream_error" });
    expect(body.error.message).toContain("HTTP 500");
    expect(body.error.message).toContain("fallback is down");
    expect(h.upstream.callsTo("primary")).toHaveLength(3);
    expect(h.upstream.callsTo("fallback")).toHaveLength(3);

    const rows = await h.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "error", http_status: 502, error_type: "upstream_error", attempts: 6, fallback_used: 1, served_model: "fallback", cost_micros: 0 });
    expect(h.gateway.budgets.outstanding(teamId)).toBe(0);
    expect((await h.gateway.budgets.snapshot(team(), h.clock.now())).day).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
  });

  it("passes the upstream's 429 on, with its Retry-After, when every target is rate limited", async () => {
    h.upstream.handle(null, () => errorAnswer(429, "quota", { "retry-after": "120" }, "rate_limit_error"));
    const res = await h.chat(key);

    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("120");
    expect(jsonOf(res).error).toMatchObject({ type: "rate_limit_error", code: "upstream_rate_limited" });
    // 120 s is past maxRetryAfterMs: one call each, no waiting.
    expect(h.upstream.calls).toHaveLength(2);
    expect(h.clock.sleeps).toEqual([]);
    // The upstream's refusal is the upstream's fault, not the team's limits.
    expect((await h.rows())[0]).toMatchObject({ status: "error", http_status: 429, error_type: "upstream_rate_limited" });
  });
});
