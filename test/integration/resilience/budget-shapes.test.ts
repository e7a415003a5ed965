/**
 * Budgets hold for every request shape, not only under races: many choices, an upstream that reads
 * only max_completion_tokens, named messages, image parts, and upstreams that ignore the ceiling
 * altogether. Each shape is a 100-way race against a small cap, through the API door and, where
 * the browser can send that shape, through the chat door.
 */
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countText } from "@/lib/gateway/tokens";
import { countPromptTokens } from "@/lib/simulator/prompt-tokens";
import type { ChatRequest } from "@/lib/simulator/request";
import { startServer, type TestServer } from "../../helpers/server";
import { openSse, provision, sendJson, startUpstream, type Received, type TestUpstream } from "../../helpers/upstream";
import { adminJson, createPerson, signIn, userMessage } from "../access/helpers";
import { eventsOf, parseSse } from "./helpers";

const RACE = 100;
// $1 per million tokens in and out: one token costs exactly one micro-USD.
const PRICES = { inputPricePerMTok: 1, outputPricePerMTok: 1 };
const UNLIMITED = 2000;
const RUNAWAY = 1500;
// Longer than the chat door's default ceiling of 4,096: it would go on without the cut.
const RUNAWAY_STREAM = 6000;
const WORD = " hi";

let server: TestServer;
let upstream: TestUpstream;

/**
 * How each upstream model behaves: `both` honours either limit field, `mct` only
 * max_completion_tokens (as OpenAI's reasoning models do), `runaway` neither. All honour `n` and
 * bill the prompt as OpenAI does.
 */
function perChoice(body: Record<string, any>): number {
  const kind = String(body.model);
  if (kind === "runaway") return RUNAWAY;
  const limits = kind === "mct" ? [body.max_completion_tokens] : [body.max_tokens, body.max_completion_tokens];
  const set = limits.filter((v): v is number => typeof v === "number");
  return set.length ? Math.min(...set) : UNLIMITED;
}

async function answer(req: Received, res: ServerResponse) {
  const body = req.body as Record<string, any>;
  const n = typeof body.n === "number" ? body.n : 1;
  const tokens = body.stream && body.model === "runaway" ? RUNAWAY_STREAM : perChoice(body);
  const usage = { prompt_tokens: countPromptTokens(body as ChatRequest), completion_tokens: n * tokens, total_tokens: 0 };
  if (!body.stream) {
    const choices = Array.from({ length: n }, (_, index) => ({ index, message: { role: "assistant", content: WORD.repeat(tokens) }, finish_reason: "length" }));
    return sendJson(res, 200, { id: "chatcmpl-x", object: "chat.completion", created: 1, model: body.model, choices, usage });
  }
  const send = openSse(res);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: body.model, choices, ...extra });
  send(chunk(Array.from({ length: n }, (_, index) => ({ index, delta: { role: "assistant", content: "" }, finish_reason: null }))));
  for (let i = 0; i < tokens; i++) {
    if (res.destroyed || res.writableEnded) return;
    for (let index = 0; index < n; index++) send(chunk([{ index, delta: { content: WORD }, finish_reason: null }]));
    if (i % 25 === 0) await new Promise((r) => setImmediate(r));
  }
  send(chunk(Array.from({ length: n }, (_, index) => ({ index, delta: {}, finish_reason: "length" }))));
  send(chunk([], { usage }));
  send("[DONE]");
  res.end();
}

type Setup = Awaited<ReturnType<typeof provision>>;

async function team(kind: "both" | "mct" | "runaway", capUsd: number, model: Record<string, unknown> = {}): Promise<Setup> {
  return provision(server.admin, { baseUrl: upstream.baseUrl, model: { ...PRICES, upstreamModel: kind, ...model }, team: { dailyBudgetUsd: capUsd } });
}

function spentMicros(teamId: string): number {
  return (server.db().prepare("select coalesce(sum(cost_micros), 0) as s from usage where team_id = ?").get(teamId) as { s: number }).s;
}

async function usageOf(teamId: string, n: number): Promise<Array<Record<string, any>>> {
  const until = Date.now() + 10_000;
  for (;;) {
    const rows = server.db().prepare("select * from usage where team_id = ? order by id").all(teamId) as Array<Record<string, any>>;
    if (rows.length >= n || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Fires RACE identical requests at once and reads every answer whole. */
async function race(send: () => Promise<Response>): Promise<Array<{ status: number; text: string }>> {
  return Promise.all(Array.from({ length: RACE }, async () => {
    const res = await send();
    return { status: res.status, text: await res.text() };
  }));
}

function api(setup: Setup, body: Record<string, unknown>) {
  return () =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${setup.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: setup.model.name, ...body }),
    });
}

/** Every request has its row, the recorded spend is within the cap, and the admin API agrees. */
async function expectWithinCap(setup: Setup, capUsd: number, answers: Array<{ status: number }>) {
  const rows = await usageOf(setup.team.id, RACE);
  expect(rows).toHaveLength(RACE);
  const admitted = rows.filter((r) => r.status !== "budget_exceeded");
  expect(admitted.length).toBeGreaterThan(0);
  expect(answers.filter((a) => a.status === 429).length).toBe(RACE - admitted.length);
  const spent = spentMicros(setup.team.id);
  expect(spent).toBeGreaterThan(0);
  expect(spent).toBeLessThanOrEqual(capUsd * 1_000_000);
  const detail = await adminJson(server, `/api/admin/teams/${setup.team.id}`);
  expect(detail.spentTodayUsd * 1_000_000).toBeCloseTo(spent, 6);
  return { rows, admitted, spent };
}

beforeAll(async () => {
  expect(countText(WORD.repeat(500))).toBe(500);
  upstream = await startUpstream(answer);
  server = await startServer({ env: { SWITCHYARD_MAX_BODY_BYTES: String(4 * 1024 * 1024) } });
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("through the API door", () => {
  it("n: reserves and bills n choices of the ceiling", async () => {
    const setup = await team("both", 0.02);
    const answers = await race(api(setup, { n: 50, max_tokens: 100, messages: [{ role: "user", content: "fifty ways" }] }));
    const { admitted } = await expectWithinCap(setup, 0.02, answers);
    for (const row of admitted) expect(row.completion_tokens).toBe(5000);
    // Reserved at prompt + 50 × 100 each, so at most three fit in $0.02 at a time.
    expect(admitted.length).toBeLessThanOrEqual(3);
  });

  it("n: TPM is charged for every choice", async () => {
    const setup = await provision(server.admin, { baseUrl: upstream.baseUrl, model: { ...PRICES, upstreamModel: "both" }, team: { tpmLimit: 1000 } });
    const res = await api(setup, { n: 20, max_tokens: 100, messages: [{ role: "user", content: "x" }] })();
    expect(res.status).toBe(429);
    expect((await res.json()).error.code).toBe("request_too_large");
  });

  it("max_completion_tokens: an upstream that reads only that field is sent the ceiling in it", async () => {
    const setup = await team("mct", 0.02);
    const before = upstream.received.length;
    const answers = await race(api(setup, { messages: [{ role: "user", content: "think hard" }] }));
    const { admitted } = await expectWithinCap(setup, 0.02, answers);
    for (const row of admitted) expect(row.completion_tokens).toBe(4096);
    const sent = upstream.received.slice(before).map((r) => r.body!);
    expect(sent.every((b) => b.max_tokens === 4096 && b.max_completion_tokens === 4096)).toBe(true);
  });

  it("max_completion_tokens: a model whose upstream rejects max_tokens is sent only the other field", async () => {
    const setup = await team("mct", 1, { maxTokensField: "max_completion_tokens", maxOutputTokens: 64 });
    const res = await api(setup, { max_tokens: 500, messages: [{ role: "user", content: "hi" }] })();
    expect(res.status).toBe(200);
    const sent = upstream.received.at(-1)!.body!;
    expect(sent).not.toHaveProperty("max_tokens");
    expect(sent.max_completion_tokens).toBe(64);
  });

  it("named messages: the per-message and per-name overheads are reserved", async () => {
    const setup = await team("both", 0.01);
    const messages = Array.from({ length: 120 }, (_, i) => ({ role: "user", name: `person_${i}`, content: "" }));
    const answers = await race(api(setup, { max_tokens: 10, messages }));
    const { admitted } = await expectWithinCap(setup, 0.01, answers);
    const billed = countPromptTokens({ model: "both", messages } as ChatRequest);
    for (const row of admitted) expect(row.prompt_tokens).toBe(billed);
  });

  it("image parts: each is reserved at the documented charge", async () => {
    const setup = await team("both", 0.01);
    const image = (detail: string) => ({ type: "image_url", image_url: { url: `data:image/png;base64,${"iVBORw0KGgo".repeat(20)}`, detail } });
    const messages = [{ role: "user", content: [{ type: "text", text: "what is this?" }, image("high"), image("low"), image("auto")] }];
    const answers = await race(api(setup, { max_tokens: 10, messages }));
    const { admitted } = await expectWithinCap(setup, 0.01, answers);
    for (const row of admitted) expect(row.prompt_tokens).toBe(countPromptTokens({ model: "both", messages } as unknown as ChatRequest));
  });

  it("a runaway stream is cut at its reservation, the upstream call aborted", async () => {
    const setup = await team("runaway", 0.005);
    const before = upstream.received.length;
    const answers = await race(api(setup, { stream: true, max_tokens: 100, messages: [{ role: "user", content: "go on" }] }));
    const { admitted } = await expectWithinCap(setup, 0.005, answers);
    for (const row of admitted) {
      expect(row).toMatchObject({ status: "error", error_type: "output_ceiling_reached", completion_tokens: 100 });
    }
    const streamed = answers.filter((a) => a.status === 200);
    expect(streamed.length).toBe(admitted.length);
    for (const { text } of streamed) {
      const events = parseSse(text);
      expect(events).not.toContain("[DONE]");
      const content = events.slice(0, -2).map((e) => JSON.parse(e).choices?.[0]?.delta?.content ?? "").join("");
      expect(countText(content)).toBe(100);
      expect(JSON.parse(events.at(-2)!).choices[0].finish_reason).toBe("length");
      const error = JSON.parse(events.at(-1)!).error;
      expect(error.code).toBe("output_ceiling_reached");
      expect(error.message).toContain("budget");
    }
    // The gateway hung up on every upstream long before its 6,000 tokens were through.
    const calls = upstream.received.slice(before);
    expect(calls).toHaveLength(admitted.length);
    await expect.poll(() => calls.every((c) => c.closedAt !== null)).toBe(true);
  });

  it("a runaway non-stream answer is billed truthfully, recorded as an overrun, and the team refused after", async () => {
    const setup = await team("runaway", 0.005);
    const messages = [{ role: "user", content: "go on" }];
    const answers = await race(api(setup, { max_tokens: 100, messages }));
    const rows = await usageOf(setup.team.id, RACE);
    const ok = rows.filter((r) => r.status === "ok");
    expect(ok.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(ok.length);
    const prompt = countPromptTokens({ model: "runaway", messages } as ChatRequest);
    for (const row of ok) expect(row).toMatchObject({ completion_tokens: RUNAWAY, prompt_tokens: prompt, cost_micros: RUNAWAY + prompt });
    expect(spentMicros(setup.team.id)).toBe(ok.length * (RUNAWAY + prompt));
    const overruns = await eventsOf(server, "budget.overrun", setup.team.id);
    expect(overruns).toHaveLength(ok.length);
    expect(overruns[0]!.data).toMatchObject({ costMicros: RUNAWAY + prompt, overMicros: RUNAWAY - 100 });
    const after = await api(setup, { max_tokens: 1, messages })();
    expect(after.status).toBe(429);
    expect((await after.json()).error.code).toBe("budget_exceeded");
  });
});

describe("through the chat door", () => {
  async function member(setup: Setup): Promise<string> {
    const email = `m-${setup.team.id}@example.com`.toLowerCase();
    await createPerson(server, { email, password: "correct horse battery", role: "member", teamIds: [setup.team.id] });
    return signIn(server, { email, password: "correct horse battery" });
  }

  function chatDoor(cookie: string, model: string, parts: unknown[]) {
    return () =>
      fetch(`${server.url}/api/chat`, {
        method: "POST",
        headers: { cookie, origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ id: `race-${Math.random().toString(36).slice(2)}`, ephemeral: true, model, messages: [{ ...userMessage("x"), parts }] }),
      });
  }

  it("a runaway stream stays within the cap", async () => {
    const setup = await team("runaway", 0.02);
    const cookie = await member(setup);
    await race(chatDoor(cookie, setup.model.name, [{ type: "text", text: "go on" }]));
    const rows = await usageOf(setup.team.id, RACE);
    expect(rows).toHaveLength(RACE);
    const admitted = rows.filter((r) => r.status !== "budget_exceeded");
    expect(admitted.length).toBeGreaterThan(0);
    for (const row of admitted) expect(row).toMatchObject({ error_type: "output_ceiling_reached", completion_tokens: 4096 });
    expect(spentMicros(setup.team.id)).toBeLessThanOrEqual(20_000);
  });

  it("an upstream that reads only max_completion_tokens stays within the cap", async () => {
    const setup = await team("mct", 0.01);
    const cookie = await member(setup);
    await race(chatDoor(cookie, setup.model.name, [{ type: "text", text: "think" }]));
    const rows = await usageOf(setup.team.id, RACE);
    expect(rows).toHaveLength(RACE);
    expect(rows.filter((r) => r.status === "ok").length).toBeGreaterThan(0);
    expect(spentMicros(setup.team.id)).toBeLessThanOrEqual(10_000);
  });

  it("image parts stay within the cap", async () => {
    const setup = await team("both", 0.01);
    const cookie = await member(setup);
    const image = { type: "file", mediaType: "image/png", url: `data:image/png;base64,${"iVBORw0KGgo".repeat(20)}` };
    await race(chatDoor(cookie, setup.model.name, [{ type: "text", text: "what is it?" }, image, image]));
    const rows = await usageOf(setup.team.id, RACE);
    expect(rows).toHaveLength(RACE);
    const ok = rows.filter((r) => r.status === "ok");
    expect(ok.length).toBeGreaterThan(0);
    // The upstream billed both images: the chat door passed them on as image parts.
    for (const row of ok) expect(row.prompt_tokens).toBeGreaterThan(2 * 765);
    expect(spentMicros(setup.team.id)).toBeLessThanOrEqual(10_000);
  });
});
