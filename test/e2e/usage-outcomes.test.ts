/**
 * Every outcome a usage row records, made by real traffic against the built server (answered,
 * upstream error, budget refusal, rate limit, rejection, client abort): the Usage page counts each
 * one, the raw CSV export holds the same counts, names the range by its first and last day, and
 * says who sent each request (the person's email for the browser door, the key's name for /v1).
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTCOMES, type Outcome } from "@/lib/usage/outcomes";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { call, createPerson, signIn as signInApi, uiStreamEvents, userMessage } from "../integration/access/helpers";
import { ADMIN, MEMBER, must } from "./accounts";

let server: TestServer;
let browser: Browser | undefined;

/** How many requests of each outcome the seed sends. */
const EXPECTED: Record<Outcome, number> = { ok: 6, error: 3, budget_exceeded: 2, rate_limited: 2, rejected: 3, aborted: 1 };
/** Of the OK requests, those sent by a signed-in person through the browser's door. */
const MEMBER_CHATS = 2;

async function post(key: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "how many outcomes are there?" }], ...body }),
    signal,
  });
}

async function expectStatus(res: Promise<Response>, status: number): Promise<void> {
  const r = await res;
  await r.arrayBuffer();
  expect(r.status).toBe(status);
}

async function seed(s: TestServer): Promise<void> {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  const models: Array<[string, Record<string, number>]> = [
    ["out-fast", { ttftMs: 5, tokensPerSecond: 4000 }],
    ["out-broken", { ttftMs: 5, errorRate: 1 }],
    // Slow enough that the client is still reading when it gives up.
    ["out-slow", { ttftMs: 5, tokensPerSecond: 2 }],
  ];
  for (const [name, simulator] of models) {
    await must(await s.admin("/api/admin/models", { method: "POST", json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 4, simulator } }));
  }
  const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "outcomes" } }));
  // One micro-dollar a day: any request's worst-case cost is over it.
  const broke = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "broke", dailyBudgetUsd: 0.000001 } }));
  const key = (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "outcomes-key" } }))).key as string;
  // One request a minute: the first is answered, the next two are refused at once.
  const limited = (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "limited-key", rpmLimit: 1 } }))).key as string;
  const brokeKey = (await must(await s.admin(`/api/admin/teams/${broke.id}/keys`, { method: "POST", json: { name: "broke-key" } }))).key as string;

  const apiOk = EXPECTED.ok - MEMBER_CHATS - 1;
  for (let i = 0; i < apiOk; i++) await expectStatus(post(key, { model: "out-fast", stream: i % 2 === 0 }), 200);
  await expectStatus(post(limited, { model: "out-fast" }), 200);
  for (let i = 0; i < EXPECTED.rate_limited; i++) await expectStatus(post(limited, { model: "out-fast" }), 429);
  for (let i = 0; i < EXPECTED.error; i++) await expectStatus(post(key, { model: "out-broken" }), 502);
  for (let i = 0; i < EXPECTED.budget_exceeded; i++) await expectStatus(post(brokeKey, { model: "out-fast" }), 429);
  for (let i = 0; i < EXPECTED.rejected; i++) await expectStatus(post(key, { model: "no-such-model" }), 404);

  // A streamed answer the client stops reading after its first bytes.
  const abort = new AbortController();
  const res = await post(key, { model: "out-slow", stream: true, max_tokens: 200 }, abort.signal);
  expect(res.status).toBe(200);
  await res.body!.getReader().read();
  abort.abort();

  await createPerson(s, { email: MEMBER.email, password: MEMBER.password, role: "member", teamIds: [team.id] });
  const cookie = await signInApi(s, MEMBER);
  for (let i = 0; i < MEMBER_CHATS; i++) {
    const conv = await (await call(s, "/api/conversations", { method: "POST", cookie, json: { model: "out-fast" } })).json();
    await uiStreamEvents(await call(s, "/api/chat", { method: "POST", cookie, json: { id: conv.id, messages: [userMessage(`hello ${i}`)] } }));
  }
}

const TOTAL = Object.values(EXPECTED).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
  await seed(server);
  const rows = await server.usageRows(TOTAL, 15_000);
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, rows.filter((r) => r.status === o).length]));
  expect(counts).toEqual(EXPECTED);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("outcomes on the Usage page and in the CSV export", () => {
  it("shows each outcome's count, the same as the raw export, which names its range by its last day", async () => {
    browser = await openBrowser({ width: 1440, height: 900 });
    const { page } = browser;
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const base = browserUrl(server.url);
    await signIn(page, base, ADMIN.email, ADMIN.password);

    // A fixed seven-day range ending today (UTC), so the file name's last day is known.
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${base}/usage?from=${from}&to=${today}`);
    const outcomes = page.getByTestId("usage-outcomes");
    await page.getByTestId("usage-totals").getByText(String(TOTAL), { exact: true }).waitFor();

    const shown: Record<string, number> = {};
    for (const o of OUTCOMES) {
      const cell = outcomes.getByTestId(`outcome-${o}`).locator("td.num").first();
      shown[o] = Number((await cell.innerText()).replaceAll(",", ""));
    }
    expect(shown).toEqual(EXPECTED);
    await screenshot(page, "usage-outcomes-all");

    const exportBox = page.getByTestId("export");
    await exportBox.getByLabel("Rows to export").selectOption("raw");
    const [download] = await Promise.all([page.waitForEvent("download"), exportBox.getByRole("button", { name: "Export CSV" }).click()]);
    await exportBox.getByTestId("export-status").getByText("Saved").waitFor();
    // The range's last day, inclusive: not the day after, which the API's exclusive end would name.
    expect(download.suggestedFilename()).toBe(`switchyard-usage-${from}-${today}.csv`);

    const rows = parse(readFileSync((await download.path())!, "utf8"), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows.length).toBe(TOTAL);
    const exported = Object.fromEntries(OUTCOMES.map((o) => [o, rows.filter((r) => r.status === o).length]));
    expect(exported).toEqual(shown);

    // Who sent each request: the person for the browser door, the key for /v1.
    const byPerson = rows.filter((r) => r.user_email !== "");
    expect(byPerson.map((r) => r.user_email)).toEqual(Array(MEMBER_CHATS).fill(MEMBER.email));
    const byKey = rows.filter((r) => r.key_name !== "");
    expect(new Set(byKey.map((r) => r.key_name))).toEqual(new Set(["outcomes-key", "limited-key", "broke-key"]));
    expect(byKey.length).toBe(TOTAL - MEMBER_CHATS);

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
