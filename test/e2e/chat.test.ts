/**
 * The chat workspace in a real browser against the built server with the demo models: sign in,
 * watch a reply stream, stop one, find the conversation again after a reload, keep a route's
 * variant for a whole conversation, rename and delete, and run into a team's budget.
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, DEMO_ENV, eventually, must, setTeams, teamByName, tuneModel, userByEmail } from "./accounts";

let server: TestServer;
let browser: Browser;
let page: Page;
let base: string;
let adminId: string;
let demoTeamId: string;
let firstConversationId: string;
let routeConversationId: string;

const FIRST_PROMPT = "Tell me about freight trains";

type UsageRow = Record<string, unknown>;

function usageOf(conversationId: string): UsageRow[] {
  return server.db().prepare("select * from usage where sticky_key = ? order by id").all(`conversation:${conversationId}`) as UsageRow[];
}

const replies = () => page.locator('[data-testid="message"][data-role="assistant"]');
const lastReplyText = (): Promise<number> =>
  page.evaluate(() => {
    const all = document.querySelectorAll('[data-testid="message"][data-role="assistant"] [data-testid="message-content"]');
    return all[all.length - 1]?.textContent?.length ?? 0;
  });

async function send(text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

async function metaOf(reply: Locator): Promise<string> {
  const meta = reply.getByTestId("reply-meta");
  await meta.waitFor();
  return (await meta.textContent()) ?? "";
}

beforeAll(async () => {
  server = await startServer({ env: DEMO_ENV });
  adminId = (await userByEmail(server, ADMIN.email)).id;
  demoTeamId = (await teamByName(server, "Demo team")).id;
  await setTeams(server, adminId, [demoTeamId]);
  // Slow and long enough to watch: about two seconds of tokens after the first one.
  await tuneModel(server, "sim-slow", { ttftMs: 300, tokensPerSecond: 30, outputTokens: 60 });
  base = browserUrl(server.url);
  browser = await openBrowser();
  page = browser.page;
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("chat workspace in the browser", () => {
  const pageErrors: string[] = [];

  it("sends an anonymous visitor to sign in, refuses a wrong password, then opens the chat", async () => {
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/sign-in`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByTestId("sign-in-error").textContent()).toBe("That email and password do not match an account.");
    await screenshot(page, "chat-01-sign-in-refused");

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByTestId("new-chat-pane").waitFor();
    expect(await page.getByTestId("nav-email").textContent()).toBe(ADMIN.email);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const link of ["Chat", "Compare", "Settings"]) await nav.getByRole("link", { name: link }).waitFor();
    await screenshot(page, "chat-02-home");
  });

  it("streams a reply that grows in steps and ends with its metadata", async () => {
    await page.getByTestId("model-picker").selectOption("sim-slow");
    await send(FIRST_PROMPT);
    await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
    firstConversationId = page.url().split("/").pop()!;
    await page.getByTestId("message").filter({ hasText: FIRST_PROMPT }).waitFor();

    const lengths: number[] = [];
    let midStream = false;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const length = await lastReplyText();
      if (length > 0 && length !== lengths.at(-1)) lengths.push(length);
      const done = (await replies().last().getByTestId("reply-meta").count()) > 0;
      if (done) break;
      if (length > 0 && !midStream) {
        midStream = true;
        await screenshot(page, "chat-03-streaming");
      }
      await page.waitForTimeout(120);
    }
    expect(lengths.length, `lengths seen: ${lengths.join(", ")}`).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < lengths.length; i++) expect(lengths[i]!).toBeGreaterThan(lengths[i - 1]!);

    const meta = await metaOf(replies().last());
    expect(meta).toMatch(/^sim-slow · \d+ → 60 tokens · \$0\.\d{6} · TTFT \d+ ms$/);
    await page.getByTestId("regenerate").waitFor();
    await page.getByTestId("conversation-item").filter({ hasText: FIRST_PROMPT }).waitFor();
    await screenshot(page, "chat-04-reply-done");
  });

  it("stops a reply half way: the text stops growing and Stop goes away", async () => {
    const before = await replies().count();
    await send("And what about passenger trains?");
    const stop = page.getByTestId("stop");
    await stop.waitFor();
    await replies().nth(before).waitFor();
    await expect.poll(lastReplyText, { timeout: 5000 }).toBeGreaterThan(20);
    await stop.click();
    await stop.waitFor({ state: "detached" });
    await page.getByTestId("send").waitFor();
    const stoppedAt = await lastReplyText();
    await page.waitForTimeout(800);
    expect(await lastReplyText()).toBe(stoppedAt);
    expect(await replies().count()).toBe(before + 1);
    // Cut short: no finish, so no metadata line under it, but a word that it was stopped.
    expect(await replies().last().getByTestId("reply-meta").count()).toBe(0);
    await replies().last().getByTestId("reply-stopped").waitFor();
    await screenshot(page, "chat-05-stopped");
  });

  it("finds the conversation and its messages again after a reload, and the usage row behind it", async () => {
    await page.reload();
    await page.getByTestId("message").filter({ hasText: FIRST_PROMPT }).waitFor();
    expect(await metaOf(replies().first())).toMatch(/^sim-slow · /);
    const item = page.locator(`[data-testid="conversation-item"][data-id="${firstConversationId}"]`);
    expect(await item.getAttribute("class")).toContain("conversation-active");
    expect(await item.textContent()).toContain(FIRST_PROMPT);
    await screenshot(page, "chat-06-after-reload");

    const row = await eventually(() => usageOf(firstConversationId).find((r) => r.status === "ok"));
    expect(row).toMatchObject({ team_id: demoTeamId, user_id: adminId, requested_model: "sim-slow", served_model: "sim-slow", completion_tokens: 60 });
    expect(row.cost_micros as number).toBeGreaterThan(0);
  });

  it("keeps one variant of the sim-chat route for the whole conversation", async () => {
    await page.getByTestId("new-chat").click();
    await page.waitForURL(`${base}/`);
    await page.getByTestId("model-picker").selectOption("sim-chat");
    await send("Which model answers this?");
    await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
    routeConversationId = page.url().split("/").pop()!;
    const first = await metaOf(replies().nth(0));
    await send("And this one, the same?");
    const second = await metaOf(replies().nth(1));

    const variantOf = (meta: string) => /^(sim-balanced · control|sim-fast · candidate) · /.exec(meta)?.[1];
    expect(variantOf(first), first).toBeDefined();
    expect(variantOf(second)).toBe(variantOf(first));
    await screenshot(page, "chat-07-route-variant");

    const rows = await eventually(() => {
      const ok = usageOf(routeConversationId).filter((r) => r.status === "ok");
      return ok.length >= 2 ? ok : undefined;
    });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.variant).toMatch(/^(control|candidate)$/);
    expect(rows[1]!.variant).toBe(rows[0]!.variant);
    expect(rows[0]!.route_id).toBeTruthy();
  });

  it("renames a conversation in place and deletes another after confirming", async () => {
    const current = page.locator(`[data-testid="conversation-item"][data-id="${routeConversationId}"]`);
    await current.getByTestId("rename").click();
    const input = current.getByTestId("rename-input");
    await input.fill("Split check");
    await input.press("Enter");
    await current.getByRole("link", { name: "Split check" }).waitFor();
    await page.reload();
    await current.getByRole("link", { name: "Split check" }).waitFor();

    const other = page.locator(`[data-testid="conversation-item"][data-id="${firstConversationId}"]`);
    await other.hover();
    await other.getByTestId("delete").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(FIRST_PROMPT).waitFor();
    await screenshot(page, "chat-08-delete-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete" }).click();
    await other.waitFor({ state: "detached" });
    expect(server.db().prepare("select count(*) as n from conversations where id = ?").get(firstConversationId)).toEqual({ n: 0 });
    await page.goto(`${base}/c/${firstConversationId}`);
    await page.getByTestId("not-found").waitFor();
  });

  it("says so in words when the team's daily budget is used up", async () => {
    const tiny = await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "Tiny team", dailyBudgetUsd: 0.000001 } }));
    await setTeams(server, adminId, [demoTeamId, tiny.id]);
    await page.goto(`${base}/`);
    const switcher = page.getByTestId("team-switcher");
    await switcher.selectOption({ label: "Tiny team" });
    await eventually(() => (server.db().prepare("select current_team_id as t from users where id = ?").get(adminId) as { t: string }).t === tiny.id || undefined);

    await page.getByTestId("model-picker").selectOption("sim-fast");
    await send("Is there any money left?");
    await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
    const error = page.getByTestId("chat-error");
    await error.waitFor();
    expect(await error.getAttribute("data-kind")).toBe("budget_exceeded");
    expect(await error.getByTestId("chat-error-body").textContent()).toMatch(/^Your team's daily budget is used up; it resets at \d\d:\d\d/);
    await screenshot(page, "chat-09-budget");

    const row = await eventually(() => usageOf(page.url().split("/").pop()!)[0]);
    expect(row).toMatchObject({ status: "budget_exceeded", team_id: tiny.id, http_status: 429 });

    await switcher.selectOption({ label: "Demo team" });
    await eventually(() => (server.db().prepare("select current_team_id as t from users where id = ?").get(adminId) as { t: string }).t === demoTeamId || undefined);
  });

  it("counts down live when the team is rate limited", async () => {
    await must(await server.admin(`/api/admin/teams/${demoTeamId}`, { method: "PATCH", json: { rpmLimit: 1 } }));
    await page.goto(`${base}/`);
    await page.getByTestId("model-picker").selectOption("sim-fast");
    await send("Quick one");
    await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
    const error = page.getByTestId("chat-error");
    // The team's single request a minute may still be free: then the second message is the one refused.
    await Promise.race([error.waitFor(), replies().first().getByTestId("reply-meta").waitFor()]);
    if ((await error.count()) === 0) await send("Another quick one");
    await error.waitFor();
    expect(await error.getAttribute("data-kind")).toBe("rate_limited");
    const body = error.getByTestId("chat-error-body");
    const secondsLeft = async () => Number(/try again in (\d+) s/.exec((await body.textContent()) ?? "")?.[1]);
    const first = await secondsLeft();
    expect(first).toBeGreaterThan(1);
    await expect.poll(secondsLeft, { timeout: 3000 }).toBeLessThan(first);
    expect(await error.getByTestId("retry").isDisabled()).toBe(true);
    await screenshot(page, "chat-10-rate-limited");
    await must(await server.admin(`/api/admin/teams/${demoTeamId}`, { method: "PATCH", json: { rpmLimit: null } }));
    expect(pageErrors).toEqual([]);
  });
});
