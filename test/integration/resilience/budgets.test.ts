/**
 * Team budgets over real HTTP and a real database: worst-case reservations keep concurrent
 * requests from spending past a cap, refusals say when the period resets, the admin API reports
 * exactly what the usage table holds, and the alert fires once.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costMicros } from "@/lib/gateway/cost";
import { startServer, type TestServer } from "../../helpers/server";
import { completion, provision, sendJson, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { adminJson, chat, eventsOf, PROMPT_ESTIMATE, secondsToNextUtcMonth, secondsToUtcMidnight, teamUsage, waitFor } from "./helpers";

// $1 in / $10 out per million tokens and 1000 output tokens: a worst case of about $0.01.
const PRICES = { inputPricePerMTok: 1, outputPricePerMTok: 10 };
const MICRO_PRICES = { inputMicrosPerMTok: 1_000_000, outputMicrosPerMTok: 10_000_000 };
const MAX_TOKENS = 1000;
const WORST_MICROS = costMicros(MICRO_PRICES, PROMPT_ESTIMATE, MAX_TOKENS);

let server: TestServer;
let upstream: TestUpstream;

const provisionTeam = (team: Record<string, unknown>) => provision(server.admin, { baseUrl: upstream.baseUrl, model: PRICES, team });
const ask = (setup: Awaited<ReturnType<typeof provision>>) => chat(server, setup.key, setup.model.name, { max_tokens: MAX_TOKENS });
const usdToMicros = (usd: number) => Math.round(usd * 1_000_000);

function sumCost(teamId: string): number {
  return (server.db().prepare("select coalesce(sum(cost_micros), 0) as s from usage where team_id = ?").get(teamId) as { s: number }).s;
}

interface Timed {
  res: Response;
  /** The test's clock just before the request went out and just after its answer came in. */
  sentAt: number;
  answeredAt: number;
}

async function timed(send: () => Promise<Response>): Promise<Timed> {
  const sentAt = Date.now();
  const res = await send();
  return { res, sentAt, answeredAt: Date.now() };
}

/**
 * A budget refusal. Its Retry-After is the whole seconds to the reset, rounded up, from the moment
 * the server decided; that moment lies between sending and the answer, so Retry-After lies between
 * the two counts. No clock read at another time (after a burst, say) enters into it.
 */
async function expectBudgetRefusal({ res, sentAt, answeredAt }: Timed, secondsToReset: (now: number) => number) {
  expect(res.status).toBe(429);
  const body = await res.json();
  expect(body.error).toMatchObject({ type: "insufficient_quota", code: "budget_exceeded", param: null });
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil(secondsToReset(answeredAt)));
  expect(retryAfter).toBeLessThanOrEqual(Math.ceil(secondsToReset(sentAt)));
  return body.error.message as string;
}

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => sendJson(res, 500, {}));
  server = await startServer();
  expect(WORST_MICROS).toBeGreaterThan(10_000);
  expect(WORST_MICROS).toBeLessThan(10_100);
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("daily budget under a concurrent burst", () => {
  const CAP_USD = 0.5;
  const BURST = 200;
  // The upstream answers with far less than the worst case, so settled spend < reserved.
  const REAL = { prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 50 };
  const REAL_MICROS = costMicros(MICRO_PRICES, REAL.prompt_tokens, REAL.completion_tokens);
  let setup: Awaited<ReturnType<typeof provision>>;

  beforeAll(async () => {
    setup = await provisionTeam({ dailyBudgetUsd: CAP_USD });
  });

  it("admits exactly the worst cases that fit, refuses the rest until midnight UTC, and never spends past the cap", async () => {
    // Every admitted call is held at the upstream until all 200 are decided, so the burst is truly
    // concurrent: no reservation is settled early to make room for another.
    const waiting: ServerResponse[] = [];
    upstream.handle((_req, res) => void waiting.push(res));
    let refusedSoFar = 0;
    const pending = Array.from({ length: BURST }, () =>
      timed(() => ask(setup)).then((t) => {
        if (t.res.status !== 200) refusedSoFar++;
        return t;
      }),
    );
    await waitFor(() => waiting.length + refusedSoFar === BURST, 15_000, "every request to be admitted or refused");
    const fit = Math.floor(usdToMicros(CAP_USD) / WORST_MICROS);
    expect(waiting).toHaveLength(fit);

    const detail = await adminJson(server, `/api/admin/teams/${setup.team.id}`);
    expect(usdToMicros(detail.budget.day.reservedUsd)).toBe(fit * WORST_MICROS);
    expect(usdToMicros(detail.budget.day.reservedUsd)).toBeLessThanOrEqual(usdToMicros(CAP_USD));

    for (const res of waiting) sendJson(res, 200, completion("up-model", "short answer", REAL));
    const responses = await Promise.all(pending);
    const admitted = responses.filter((t) => t.res.status === 200);
    const refused = responses.filter((t) => t.res.status !== 200);
    expect(admitted).toHaveLength(fit);
    expect(refused).toHaveLength(BURST - fit);

    const message = await expectBudgetRefusal(refused[0]!, secondsToUtcMidnight);
    expect(message).toContain("daily budget of $0.50");
    for (const t of refused.slice(1)) await expectBudgetRefusal(t, secondsToUtcMidnight);

    const rows = await teamUsage(server, setup.team.id, BURST);
    expect(rows).toHaveLength(BURST);
    expect(rows.filter((r) => r.status === "budget_exceeded")).toHaveLength(BURST - fit);
    for (const row of rows.filter((r) => r.status === "budget_exceeded")) {
      expect(row).toMatchObject({ http_status: 429, error_type: "budget_exceeded", cost_micros: 0, attempts: 0 });
    }
    for (const row of rows.filter((r) => r.status === "ok")) expect(row.cost_micros).toBe(REAL_MICROS);

    const spent = sumCost(setup.team.id);
    expect(spent).toBe(fit * REAL_MICROS);
    expect(spent).toBeLessThanOrEqual(usdToMicros(CAP_USD));

    // The admin view is the usage table, to the micro-dollar, and nothing is left reserved.
    const after = await adminJson(server, `/api/admin/teams/${setup.team.id}`);
    expect(usdToMicros(after.spentTodayUsd)).toBe(spent);
    expect(usdToMicros(after.spentThisMonthUsd)).toBe(spent);
    expect(usdToMicros(after.budget.day.spentUsd)).toBe(spent);
    expect(after.budget.day).toMatchObject({ reservedUsd: 0, capUsd: CAP_USD, alerted: false });
    expect(after.alerts).toEqual([]);
  });

  it("admits again once settled spend leaves room for a worst case", async () => {
    // The burst settled far below its reservations, so there is room again.
    upstream.handle((_req, res) => sendJson(res, 200, completion("up-model", "short answer", REAL)));
    const res = await ask(setup);
    expect(res.status).toBe(200);
  });
});

describe("budget alert", () => {
  const CAP_USD = 0.1;
  let setup: Awaited<ReturnType<typeof provision>>;

  beforeAll(async () => {
    setup = await provisionTeam({ dailyBudgetUsd: CAP_USD, alertThresholdPct: 80 });
  });

  it("records one alert when settled spend crosses 80 % of the cap, however many requests race past it", async () => {
    // Real usage equals the worst case, so spend climbs by exactly what was reserved.
    upstream.handle((_req, res) => sendJson(res, 200, completion("up-model", "long answer", { prompt_tokens: PROMPT_ESTIMATE, completion_tokens: MAX_TOKENS })));
    const responses = await Promise.all(Array.from({ length: 20 }, () => timed(() => ask(setup))));
    const fit = Math.floor(usdToMicros(CAP_USD) / WORST_MICROS);
    expect(responses.filter((t) => t.res.status === 200)).toHaveLength(fit);
    for (const t of responses.filter((r) => r.res.status !== 200)) await expectBudgetRefusal(t, secondsToUtcMidnight);

    await teamUsage(server, setup.team.id, 20);
    const spent = sumCost(setup.team.id);
    expect(spent).toBe(fit * WORST_MICROS);
    expect(spent * 100).toBeGreaterThanOrEqual(usdToMicros(CAP_USD) * 80);

    const alerts = await eventsOf(server, "budget.alert", setup.team.id);
    expect(alerts).toHaveLength(1);
    // The alert fired on the settle that first reached 80 %: ceil(80 % of cap / worst case) requests.
    const crossingSpend = Math.ceil((usdToMicros(CAP_USD) * 0.8) / WORST_MICROS) * WORST_MICROS;
    expect(alerts[0]).toMatchObject({
      subjectType: "team",
      actor: "system",
      data: { period: "day", thresholdPct: 80, capMicros: usdToMicros(CAP_USD), spentMicros: crossingSpend },
    });

    const detail = await adminJson(server, `/api/admin/teams/${setup.team.id}`);
    expect(detail.alerts).toHaveLength(1);
    expect(detail.budget.day.alerted).toBe(true);
    expect(usdToMicros(detail.spentTodayUsd)).toBe(spent);

    // More refusals do not alert again.
    await expectBudgetRefusal(await timed(() => ask(setup)), secondsToUtcMidnight);
    expect(await eventsOf(server, "budget.alert", setup.team.id)).toHaveLength(1);
  });
});

describe("output ceiling", () => {
  it("caps the upstream at the output the budget reserved when the client sets no max_tokens", async () => {
    upstream.handle((_req, res) => sendJson(res, 200, completion("up-model", "ok", { prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 10 })));
    const setup = await provision(server.admin, { baseUrl: upstream.baseUrl, model: { ...PRICES, maxOutputTokens: 300 }, team: { dailyBudgetUsd: 1 } });
    const res = await chat(server, setup.key, setup.model.name);
    expect(res.status).toBe(200);
    expect(upstream.received.at(-1)!.body!.max_tokens).toBe(300);
    const detail = await adminJson(server, `/api/admin/teams/${setup.team.id}`);
    expect(detail.budget.day.reservedUsd).toBe(0);
  });
});

describe("monthly budget", () => {
  it("refuses a request over the monthly cap with Retry-After to the 1st of next month", async () => {
    upstream.handle((_req, res) => sendJson(res, 200, completion("up-model", "ok", { prompt_tokens: PROMPT_ESTIMATE, completion_tokens: 10 })));
    // Half a worst case a month; the daily cap would allow it.
    const setup = await provisionTeam({ monthlyBudgetUsd: 0.005, dailyBudgetUsd: 1 });
    const hits = upstream.received.length;
    const message = await expectBudgetRefusal(await timed(() => ask(setup)), secondsToNextUtcMonth);
    expect(message).toContain("monthly budget");
    expect(upstream.received.length).toBe(hits);

    // A smaller worst case that fits goes through.
    const small = await chat(server, setup.key, setup.model.name, { max_tokens: 100 });
    expect(small.status).toBe(200);
    const rows = await teamUsage(server, setup.team.id, 2);
    expect(rows.map((r) => r.status)).toEqual(["budget_exceeded", "ok"]);
  });
});
