/**
 * Rate limits over real HTTP: token buckets per team (RPM and TPM) and per key, OpenAI-shaped 429s
 * with Retry-After and x-ratelimit-* headers, TPM refunds once real usage is known, limits changed
 * by an admin applied at once, and a usage row for every refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../../helpers/server";
import { completion, provision, sendJson, sleep, startUpstream, type TestUpstream } from "../../helpers/upstream";
import { adminJson, chat, PROMPT_ESTIMATE, teamUsage, waitFor } from "./helpers";

// What the upstream reports for every call: the real usage TPM is corrected to.
const REAL_USAGE = { prompt_tokens: 7, completion_tokens: 13 };
const REAL_TOKENS = REAL_USAGE.prompt_tokens + REAL_USAGE.completion_tokens;
const RESET_FORMAT = /^(\d+h)?(\d+m)?(\d+(\.\d+)?s|\d+ms)$/;

let server: TestServer;
let upstream: TestUpstream;
/** Requests the upstream holds until the test releases them, by the `hold` field of their body. */
const held = new Map<string, () => void>();

const provisionTeam = (team: Record<string, unknown>) => provision(server.admin, { baseUrl: upstream.baseUrl, team });

function expectRequestsTrio(res: Response, limit: number) {
  expect(res.headers.get("x-ratelimit-limit-requests")).toBe(String(limit));
  const remaining = Number(res.headers.get("x-ratelimit-remaining-requests"));
  expect(Number.isInteger(remaining) && remaining >= 0 && remaining <= limit).toBe(true);
  expect(res.headers.get("x-ratelimit-reset-requests")).toMatch(RESET_FORMAT);
}

async function expectRateLimited(res: Response, type: "requests" | "tokens") {
  expect(res.status).toBe(429);
  const body = await res.json();
  expect(body).toEqual({ error: { message: expect.any(String), type, code: "rate_limit_exceeded", param: null } });
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(Number(res.headers.get("retry-after-ms"))).toBeGreaterThan(0);
  expect(Number(res.headers.get("retry-after-ms"))).toBeLessThanOrEqual(retryAfter * 1000);
  return { body, retryAfter };
}

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    // Unknown request fields pass through the gateway untouched, so the test can tag a request.
    const hold = req.body?.hold;
    if (typeof hold === "string") held.set(hold, () => sendJson(res, 200, completion("up-model", "ok", REAL_USAGE)));
    else sendJson(res, 200, completion("up-model", "ok", REAL_USAGE));
  });
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe("team requests per minute", () => {
  let setup: Awaited<ReturnType<typeof provision>>;
  const BURST = 200;
  const RPM = 60;

  beforeAll(async () => {
    setup = await provisionTeam({ rpmLimit: RPM });
  });

  it("admits at most the bucket plus its refill out of a concurrent burst, and refuses the rest OpenAI-style", async () => {
    const t0 = Date.now();
    const responses = await Promise.all(Array.from({ length: BURST }, () => chat(server, setup.key, setup.model.name, { max_tokens: 5 })));
    const seconds = (Date.now() - t0) / 1000;

    const admitted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    // 60 per minute refills one request per second.
    expect(admitted.length).toBeGreaterThanOrEqual(RPM);
    expect(admitted.length).toBeLessThanOrEqual(RPM + Math.floor(seconds * (RPM / 60)));
    expect(refused.length).toBe(BURST - admitted.length);

    for (const res of admitted) {
      expectRequestsTrio(res, RPM);
      // No TPM limit on this team, so no tokens trio.
      expect(res.headers.get("x-ratelimit-limit-tokens")).toBeNull();
      await res.arrayBuffer();
    }
    for (const res of refused) {
      await expectRateLimited(res, "requests");
      expectRequestsTrio(res, RPM);
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    }

    const rows = await teamUsage(server, setup.team.id, BURST);
    expect(rows).toHaveLength(BURST);
    const limited = rows.filter((r) => r.status === "rate_limited");
    expect(limited).toHaveLength(refused.length);
    for (const row of limited) {
      expect(row).toMatchObject({ http_status: 429, error_type: "rate_limit_exceeded", attempts: 0, cost_micros: 0 });
    }
    expect(rows.filter((r) => r.status === "ok")).toHaveLength(admitted.length);
  });

  it("admits again after waiting the Retry-After it was given", async () => {
    // Whatever refilled since the burst is used up first.
    let refused = await chat(server, setup.key, setup.model.name);
    for (let i = 0; i < 10 && refused.status === 200; i++) refused = await chat(server, setup.key, setup.model.name);
    const { retryAfter } = await expectRateLimited(refused, "requests");
    expect(retryAfter).toBeLessThanOrEqual(2);
    await sleep(retryAfter * 1000);
    const res = await chat(server, setup.key, setup.model.name);
    expect(res.status).toBe(200);
    expectRequestsTrio(res, RPM);
  });
});

describe("team tokens per minute", () => {
  const TPM = 6000;
  const MAX_TOKENS = 1000;
  const charge = PROMPT_ESTIMATE + MAX_TOKENS;
  let setup: Awaited<ReturnType<typeof provision>>;
  let firstChargeAt = 0;

  const send = (hold?: string, maxTokens = MAX_TOKENS) => chat(server, setup.key, setup.model.name, { max_tokens: maxTokens, ...(hold ? { hold } : {}) });

  /**
   * remaining-tokens must equal `expected` (computed as if nothing refilled) plus no more than the
   * refill since the bucket was first charged: 100 tokens a second at 6000 TPM.
   */
  function expectRemaining(res: Response, expected: number) {
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBe(String(TPM));
    expect(res.headers.get("x-ratelimit-reset-tokens")).toMatch(RESET_FORMAT);
    const remaining = Number(res.headers.get("x-ratelimit-remaining-tokens"));
    const refill = Math.ceil(((Date.now() - firstChargeAt) * TPM) / 60_000) + 1;
    expect(remaining).toBeGreaterThanOrEqual(expected);
    expect(remaining).toBeLessThanOrEqual(expected + refill);
    return remaining;
  }

  beforeAll(async () => {
    setup = await provisionTeam({ tpmLimit: TPM });
  });

  it("charges the estimated prompt plus max_tokens at admission and refunds the unused part after", async () => {
    expect(PROMPT_ESTIMATE).toBeGreaterThan(0);
    firstChargeAt = Date.now();
    const r1 = await send();
    expect(r1.status).toBe(200);
    // A fresh bucket, so exact: the whole worst case is taken up front.
    expect(Number(r1.headers.get("x-ratelimit-remaining-tokens"))).toBe(TPM - charge);
    expectRemaining(r1, TPM - charge);

    // r1 finished using REAL_TOKENS, so r2 sees only those gone, plus its own charge.
    const r2 = await send();
    let spent = REAL_TOKENS;
    expectRemaining(r2, TPM - spent - charge);
    spent += REAL_TOKENS;

    // While a request is in flight its full charge is held: the next request (r3) sees both.
    const inFlight = send("a");
    await waitFor(() => held.has("a"), 3000, "the held request to reach the upstream");
    const r3 = await send();
    const before = expectRemaining(r3, TPM - spent - 2 * charge);
    spent += REAL_TOKENS;

    held.get("a")!();
    expect((await inFlight).status).toBe(200);
    spent += REAL_TOKENS;
    const r4 = await send();
    const after = expectRemaining(r4, TPM - spent - charge);
    // Between r3 and r4, r3 and the held request settled and r4 took its charge. Without refunds
    // the difference would be -charge.
    expect(after - before).toBeGreaterThanOrEqual(charge - 2 * REAL_TOKENS);
  });

  it("refuses with type 'tokens' when the worst case does not fit, and says when a request can never fit", async () => {
    // With one request in flight, a worst case of 5/6 of the limit cannot fit yet.
    const inFlight = send("b");
    await waitFor(() => held.has("b"), 3000, "the held request to reach the upstream");
    const big = await send(undefined, Math.floor((TPM * 5) / 6) - PROMPT_ESTIMATE);
    await expectRateLimited(big, "tokens");
    expect(big.headers.get("x-ratelimit-limit-tokens")).toBe(String(TPM));

    held.get("b")!();
    expect((await inFlight).status).toBe(200);

    const huge = await send(undefined, TPM * 2);
    expect(huge.status).toBe(429);
    expect((await huge.json()).error).toMatchObject({ type: "tokens", code: "request_too_large" });
    // Waiting would not help, so no Retry-After is promised.
    expect(huge.headers.get("retry-after")).toBeNull();
  });
});

describe("both team limits", () => {
  it("sends all six x-ratelimit-* headers on successes and refusals alike", async () => {
    const setup = await provisionTeam({ rpmLimit: 2, tpmLimit: 100_000 });
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await chat(server, setup.key, setup.model.name, { max_tokens: 100 }));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    for (const res of responses) {
      expectRequestsTrio(res, 2);
      expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
      expect(Number(res.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThanOrEqual(100_000);
      expect(res.headers.get("x-ratelimit-reset-tokens")).toMatch(RESET_FORMAT);
    }
    expect(responses[0]!.headers.get("x-ratelimit-remaining-tokens")).toBe(String(100_000 - PROMPT_ESTIMATE - 100));
    await expectRateLimited(responses[2]!, "requests");
  });
});

describe("key requests per minute", () => {
  it("limits only the key it is set on", async () => {
    const setup = await provisionTeam({});
    const limited = await adminJson(server, `/api/admin/teams/${setup.team.id}/keys`, { method: "POST", json: { name: "limited", rpmLimit: 3 } });

    const viaLimited = [];
    for (let i = 0; i < 5; i++) viaLimited.push(await chat(server, limited.key, setup.model.name));
    expect(viaLimited.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expectRequestsTrio(viaLimited[0]!, 3);
    const { body } = await expectRateLimited(viaLimited[3]!, "requests");
    expect(body.error.message).toContain("API key");

    // The team's other key is untouched.
    for (let i = 0; i < 5; i++) expect((await chat(server, setup.key, setup.model.name)).status).toBe(200);

    const rows = await teamUsage(server, setup.team.id, 10);
    expect(rows.filter((r) => r.status === "rate_limited").map((r) => r.key_id)).toEqual([limited.id, limited.id]);
  });
});

describe("limits changed by an admin", () => {
  it("applies a lowered and a raised team RPM to the very next request", async () => {
    const setup = await provisionTeam({ rpmLimit: 1000 });
    for (let i = 0; i < 3; i++) expect((await chat(server, setup.key, setup.model.name)).status).toBe(200);

    await adminJson(server, `/api/admin/teams/${setup.team.id}`, { method: "PATCH", json: { rpmLimit: 2 } });
    const afterLower = [];
    for (let i = 0; i < 5; i++) afterLower.push(await chat(server, setup.key, setup.model.name));
    const ok = afterLower.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length).toBeLessThanOrEqual(2);
    for (const r of afterLower) expect(r.headers.get("x-ratelimit-limit-requests")).toBe("2");

    await adminJson(server, `/api/admin/teams/${setup.team.id}`, { method: "PATCH", json: { rpmLimit: 6000 } });
    for (let i = 0; i < 5; i++) {
      const res = await chat(server, setup.key, setup.model.name);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("6000");
    }

    // Removing the limit removes the headers' requests trio with it.
    await adminJson(server, `/api/admin/teams/${setup.team.id}`, { method: "PATCH", json: { rpmLimit: null } });
    const free = await chat(server, setup.key, setup.model.name);
    expect(free.status).toBe(200);
    expect(free.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });
});
