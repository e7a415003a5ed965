/**
 * The request log, My usage and the notification bell in a real browser against the built server:
 * paging older requests in, filtering by outcome, a request's detail; a member's own spend and
 * requests; an admin's unread rollbacks, marked read and staying read.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { call, createPerson, signIn as signInApi, uiStreamEvents, userMessage } from "../integration/access/helpers";
import { ADMIN, MEMBER, must } from "./accounts";

let server: TestServer;
let browser: Browser | undefined;
const routeIds: string[] = [];

const OK_REQUESTS = 55;
const REJECTED = 4;
const MEMBER_CHATS = 2;

async function seed(s: TestServer): Promise<void> {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  for (const name of ["log-fast", "log-other"]) {
    await must(
      await s.admin("/api/admin/models", {
        method: "POST",
        json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 4, simulator: { ttftMs: 5, tokensPerSecond: 4000 } },
      }),
    );
  }
  const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "logteam", dailyBudgetUsd: 50 } }));
  const key = (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "log-key" } }))).key as string;
  const send = async (model: string, i: number) => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, stream: i % 2 === 0, messages: [{ role: "user", content: `question ${i}` }] }),
    });
    await res.arrayBuffer();
  };
  for (let i = 0; i < OK_REQUESTS; i += 10) await Promise.all(Array.from({ length: Math.min(10, OK_REQUESTS - i) }, (_, j) => send("log-fast", i + j)));
  for (let i = 0; i < REJECTED; i++) await send("no-such-model", i);

  await createPerson(s, { email: MEMBER.email, password: MEMBER.password, role: "member", teamIds: [team.id] });
  const cookie = await signInApi(s, MEMBER);
  for (let i = 0; i < MEMBER_CHATS; i++) {
    const conv = await (await call(s, "/api/conversations", { method: "POST", cookie, json: { model: "log-fast" } })).json();
    const res = await call(s, "/api/chat", { method: "POST", cookie, json: { id: conv.id, messages: [userMessage(`hello ${i}`)] } });
    await uiStreamEvents(res);
  }

  // Two manual rollbacks: notifications for the admins.
  for (const name of ["split-one", "split-two"]) {
    const route = await must(await s.admin("/api/admin/routes", { method: "POST", json: { name, control: "log-fast", candidate: "log-other", candidateWeight: 10 } }));
    routeIds.push(route.id);
    await must(await s.admin(`/api/admin/routes/${route.id}/rollback`, { method: "POST", json: {} }));
  }
}

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
  await seed(server);
  const total = OK_REQUESTS + REJECTED + MEMBER_CHATS;
  expect((await server.usageRows(total)).length).toBe(total);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the request log", () => {
  it("pages older requests in, filters by outcome and shows a request's detail", async () => {
    browser = await openBrowser({ width: 1400, height: 1000 });
    const { page } = browser;
    page.setDefaultTimeout(15_000);
    const base = browserUrl(server.url);
    await signIn(page, base, ADMIN.email, ADMIN.password);

    await page.goto(`${base}/usage`);
    await page.getByTestId("outcome-rejected").getByText(String(REJECTED), { exact: true }).waitFor();
    await page.getByTestId("outcome-ok").getByText(String(OK_REQUESTS + MEMBER_CHATS), { exact: true }).waitFor();
    await screenshot(page, "usage-outcomes");
    await page.getByTestId("request-log-link").click();
    await page.waitForURL((url) => url.pathname === "/usage/requests");

    const rows = page.getByTestId("request-row");
    await page.getByTestId("load-more").waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByTestId("load-more").click();
    await page.getByTestId("log-end").waitFor();
    expect(await rows.count()).toBe(OK_REQUESTS + REJECTED + MEMBER_CHATS);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-request-id")));
    expect(new Set(ids).size).toBe(ids.length);

    await page.getByLabel("Outcome", { exact: true }).selectOption("rejected");
    await page.waitForURL((url) => url.searchParams.get("status") === "rejected");
    await page.getByTestId("log-end").waitFor();
    await expect.poll(() => rows.count()).toBe(REJECTED);
    expect(await page.getByTestId("row-outcome").allTextContents()).toEqual(Array(REJECTED).fill("Rejected"));

    await page.getByLabel("Outcome", { exact: true }).selectOption("ok");
    await page.waitForURL((url) => url.searchParams.get("status") === "ok");
    await page.getByLabel("User", { exact: true }).selectOption({ label: MEMBER.email });
    await page.waitForURL((url) => url.searchParams.has("user"));
    await expect.poll(() => rows.count()).toBe(MEMBER_CHATS);
    await rows.first().getByRole("button").click();
    const detail = page.getByTestId("request-detail");
    await detail.waitFor();
    expect(await detail.getByTestId("detail-status").textContent()).toBe("OK (HTTP 200)");
    await screenshot(page, "request-log-detail");
    expect(await detail.getByTestId("detail-user").textContent()).toBe(MEMBER.email);
    expect(await detail.getByTestId("detail-api-key").textContent()).toBe("none (chat)");
    for (const timing of ["detail-queue-admission-and-budget-", "detail-first-byte-from-upstream", "detail-time-to-first-token", "detail-total"]) {
      expect(await detail.getByTestId(timing).textContent(), timing).toMatch(/^\d+ ms$/);
    }
    await detail.getByRole("button", { name: "Close" }).click();
    await detail.waitFor({ state: "detached" });
  });
});

describe("the notification bell", () => {
  it("counts unread rollbacks, marks them read, and they stay read", async () => {
    const { page } = browser!;
    const base = browserUrl(server.url);
    await page.goto(`${base}/usage`);
    const bell = page.getByTestId("notification-bell");
    await page.getByTestId("notification-count").getByText("2", { exact: true }).waitFor();
    await bell.click();
    const panel = page.getByTestId("notification-panel");
    await panel.getByText("Route split-two rolled back").waitFor();
    // Newest first.
    const titles = await panel.locator(".bell-title").allTextContents();
    expect(titles).toEqual(["Route split-two rolled back", "Route split-one rolled back"]);
    expect(await panel.locator("[data-unread]").count()).toBe(2);
    await screenshot(page, "notifications", { fullPage: false });

    await panel.getByRole("button", { name: "Mark all read" }).click();
    await page.getByTestId("notification-count").waitFor({ state: "detached" });
    await expect.poll(() => panel.locator("[data-unread]").count()).toBe(0);

    await page.reload();
    await bell.waitFor();
    await page.getByTestId("nav-user").waitFor();
    // A new one after the marker is the only unread.
    const route = await must(await server.admin("/api/admin/routes", { method: "POST", json: { name: "split-three", control: "log-fast", candidate: "log-other", candidateWeight: 10 } }));
    await must(await server.admin(`/api/admin/routes/${route.id}/rollback`, { method: "POST", json: {} }));
    await page.reload();
    await page.getByTestId("notification-count").getByText("1", { exact: true }).waitFor();
  });
});

describe("My usage", () => {
  it("shows a member their own spend, their team's budget and their own requests, and no bell", async () => {
    const { page } = browser!;
    const base = browserUrl(server.url);
    await page.context().clearCookies();
    await page.goto(`${base}/sign-in`);
    await signIn(page, base, MEMBER.email, MEMBER.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My usage" }).click();
    await page.waitForURL((url) => url.pathname === "/my-usage");
    await page.getByTestId("my-requests-today").getByText(String(MEMBER_CHATS), { exact: true }).waitFor();
    expect(await page.getByTestId("my-requests-month").textContent()).toBe(String(MEMBER_CHATS));
    expect(await page.getByTestId("my-team-left-today").textContent()).toMatch(/^\$49\.\d+ of \$50\.00$/);
    expect(await page.getByTestId("my-team-left-month").textContent()).toBe("No cap");
    await page.getByTestId("log-end").waitFor();
    expect(await page.getByTestId("request-row").count()).toBe(MEMBER_CHATS);
    expect(await page.getByTestId("notification-bell").count()).toBe(0);
    await screenshot(page, "my-usage");
    await page.getByTestId("request-row").first().getByRole("button").click();
    expect(await page.getByTestId("request-detail").getByTestId("detail-user").textContent()).toBe(MEMBER.email);
  });
});
