/**
 * Traffic for the usage suites, sent through the real gateway to the built-in simulator: two
 * teams with awkward names, models with awkward names, a route split 50/50, upstream errors,
 * rate-limit refusals, and requests for models that do not exist (whose names are ours to choose).
 */
import type { TestServer } from "../../helpers/server";

export async function must<T = Record<string, any>>(res: Response): Promise<T> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body as T;
}

export interface Traffic {
  teamA: { id: string; name: string; key: string };
  teamB: { id: string; name: string; key: string };
  teamLimited: { id: string; name: string; key: string };
  models: { awkward: string; plain: string; failing: string };
  route: { id: string; name: string };
  /** Requested-model values of refused requests, chosen to start with formula characters. */
  bogusModels: string[];
  /** `user` values (recorded as sticky key "user:<value>"). */
  users: string[];
  /** Between the first and the second wave of requests. */
  midpoint: number;
}

export const AWKWARD_TEAM = (s: string) => `+Acme, "Data" ✓ 東京 ${s}`;
// No whitespace allowed in model names; commas, quotes, formula signs and Unicode are.
export const AWKWARD_MODEL = (s: string) => `=HYPERLINK("http://x","y"),ü-${s}`;
export const BOGUS_MODELS = (s: string) => [`@SUM(1+1)-${s}`, `-2+3-${s}`, `\tcmd-${s}`, `\rcr-${s}`, `🚂 "express", ${s}`];
export const USERS = ['plain', 'comma, and "quotes"', "line\nbreak", "crlf\r\nend", "=1+2", "Ünïcødé 🚂"];

export function chat(server: TestServer, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "Describe a freight yard" }], ...body }),
  });
}

async function drain(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

async function team(server: TestServer, name: string, extra: Record<string, unknown> = {}) {
  const t = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name, ...extra } }));
  const k = await must(await server.admin(`/api/admin/teams/${t.id}/keys`, { method: "POST", json: { name: "usage test" } }));
  return { id: t.id as string, name: t.name as string, key: k.key as string };
}

/** Sets up teams, models and a route, then sends two waves of requests (see Traffic.midpoint). */
export async function sendTraffic(server: TestServer, suffix: string): Promise<Traffic> {
  const provider = await must(
    await server.admin("/api/admin/providers", { method: "POST", json: { name: `sim-${suffix}`, kind: "simulator", settings: { maxAttempts: 1 } } }),
  );
  const model = async (name: string, simulator: Record<string, unknown> = {}, prices = { inputPricePerMTok: 2.5, outputPricePerMTok: 10 }) =>
    (
      await must(
        await server.admin("/api/admin/models", {
          method: "POST",
          json: { name, providerId: provider.id, upstreamModel: name, ...prices, simulator: { ttftMs: 1, tokensPerSecond: 5000, ...simulator } },
        }),
      )
    ).name as string;
  const models = {
    awkward: await model(AWKWARD_MODEL(suffix)),
    plain: await model(`plain-${suffix}`, {}, { inputPricePerMTok: 0.15, outputPricePerMTok: 0.6 }),
    failing: await model(`failing-${suffix}`, { errorRate: 1 }),
  };
  const route = await must(
    await server.admin("/api/admin/routes", { method: "POST", json: { name: `split-${suffix}`, control: models.plain, candidate: models.awkward, candidateWeight: 50 } }),
  );
  const teamA = await team(server, AWKWARD_TEAM(suffix), { dailyBudgetUsd: 10, monthlyBudgetUsd: 100 });
  const teamB = await team(server, `beta-${suffix}`);
  const teamLimited = await team(server, `limited-${suffix}`, { rpmLimit: 2 });
  const bogusModels = BOGUS_MODELS(suffix);

  // Wave 1: awkward values, streams (TTFT), the route, refusals of unknown models.
  const wave1: Array<Promise<number>> = [];
  for (const [i, user] of USERS.entries()) wave1.push(drain(chat(server, teamA.key, { model: models.awkward, user, stream: i % 2 === 0 })));
  // 16 sticky keys at 50 %: both variants get traffic except with odds of 2 in 65,536.
  for (let i = 0; i < 16; i++) wave1.push(drain(chat(server, teamA.key, { model: route.name, user: `sticky-${i}` })));
  for (const bogus of bogusModels) wave1.push(drain(chat(server, teamA.key, { model: bogus })));
  for (let i = 0; i < 3; i++) wave1.push(drain(chat(server, teamB.key, { model: models.failing })));
  await Promise.all(wave1);
  // Sequential, so exactly the first two fit the 2-per-minute limit.
  for (let i = 0; i < 4; i++) await drain(chat(server, teamLimited.key, { model: models.plain }));

  await new Promise((r) => setTimeout(r, 20));
  const midpoint = Date.now();
  await new Promise((r) => setTimeout(r, 20));

  // Wave 2: plain traffic from both teams.
  const wave2: Array<Promise<number>> = [];
  for (let i = 0; i < 5; i++) wave2.push(drain(chat(server, teamB.key, { model: models.plain, stream: i % 2 === 1 })));
  for (let i = 0; i < 3; i++) wave2.push(drain(chat(server, teamA.key, { model: models.plain })));
  await Promise.all(wave2);

  return { teamA, teamB, teamLimited, models, route: { id: route.id, name: route.name }, bogusModels, users: USERS, midpoint };
}

/** Every usage row of the server, oldest first, once the writer has flushed `n` of them. */
export async function allRows(server: TestServer, n: number): Promise<Array<Record<string, any>>> {
  const rows = await server.usageRows(n);
  if (rows.length < n) throw new Error(`expected ${n} usage rows, found ${rows.length}`);
  return rows as Array<Record<string, any>>;
}

/** 6 awkward + 16 routed + 5 bogus + 3 failing + 4 limited, then 5 + 3 plain. */
export const TRAFFIC_ROWS = 6 + 16 + 5 + 3 + 4 + 5 + 3;
