/**
 * The chat's message actions and the key rotation page in a real browser, against the built server
 * and a loopback upstream that records every request: copy buttons, a conversation's system prompt
 * and temperature reaching the upstream, editing a sent message, searching conversations, and a
 * rotated key that works through its grace period and is refused after it.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { chunk, openSse, provision, sendJson, startUpstream, type TestUpstream } from "../helpers/upstream";
import { ADMIN, DEMO_ENV, must, setTeams, userByEmail } from "./accounts";

const CODE = 'const greeting = "hello";\nconsole.log(greeting);';
const SYSTEM_PROMPT = "You answer as a terse railway dispatcher.";

let server: TestServer;
let upstream: TestUpstream;
let browser: Browser;
let page: Page;
let base: string;
let setup: Awaited<ReturnType<typeof provision>>;
let conversationId: string;

type Body = { messages: Array<{ role: string; content: unknown }>; temperature?: number; stream?: boolean };
const lastBody = () => upstream.received.at(-1)!.body as unknown as Body;
const textOf = (content: unknown): string =>
  typeof content === "string" ? content : (content as Array<{ text?: string }>).map((p) => p.text ?? "").join("");
const lastUserText = (body: Body) => textOf(body.messages.filter((m) => m.role === "user").at(-1)!.content);

/** The upstream's reply: what the person said last, then a code block. */
const replyTo = (body: Body) => `You said: ${lastUserText(body)}\n\n\`\`\`js\n${CODE}\n\`\`\``;

const replies = () => page.locator('[data-testid="message"][data-role="assistant"]');
const userMessages = () => page.locator('[data-testid="message"][data-role="user"]');

async function send(text: string): Promise<void> {
  const before = await replies().count();
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  await replies().nth(before).getByTestId("reply-meta").waitFor();
}

/**
 * Starts a conversation from the new-chat page and returns its id. Typing may land before the page
 * is interactive, which leaves it unsent; then it is typed again.
 */
async function startChat(text: string): Promise<string> {
  const from = page.url();
  await page.getByTestId("new-chat-pane").waitFor();
  const input = page.getByTestId("composer-input");
  for (let attempt = 0; ; attempt++) {
    await input.fill(text);
    await input.press("Enter");
    try {
      await page.waitForURL((url) => /^\/c\/conv_[0-9a-f]+$/.test(url.pathname) && url.href !== from, { waitUntil: "commit", timeout: 3000 });
      break;
    } catch (err) {
      if (attempt === 2) throw err;
    }
  }
  await replies().first().getByTestId("reply-meta").waitFor();
  return page.url().split("/").pop()!;
}

const callV1 = (key: string) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: setup.model.name, messages: [{ role: "user", content: "ping" }] }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, any> }));

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const body = req.body as unknown as Body;
    const text = replyTo(body);
    if (!body.stream) return sendJson(res, 200, { id: "c", object: "chat.completion", created: 1, model: "up-model", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } });
    const sse = openSse(res);
    sse(chunk("up-model", { role: "assistant", content: "" }));
    for (const piece of text.match(/[\s\S]{1,12}/g)!) sse(chunk("up-model", { content: piece }));
    sse(chunk("up-model", {}, "stop"));
    sse({ ...chunk("up-model", {}), choices: [], usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 } });
    sse("[DONE]");
    res.end();
  });
  server = await startServer({ env: { ...DEMO_ENV, SWITCHYARD_DEMO: "0" } });
  setup = await provision(server.admin, { baseUrl: upstream.baseUrl, suffix: "acts" });
  await setTeams(server, (await userByEmail(server, ADMIN.email)).id, [setup.team.id]);
  base = browserUrl(server.url);
  browser = await openBrowser();
  page = browser.page;
  page.setDefaultTimeout(10_000);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await signIn(page, base, ADMIN.email, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await upstream?.close();
});

describe("chat message actions", () => {
  it("copies a message, a reply and a code block, each button saying Copied", async () => {
    await page.goto(`${base}/`);
    conversationId = await startChat("Show me a greeting in JavaScript");

    const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
    const copyMessage = userMessages().first().getByRole("button", { name: "Copy message" });
    await copyMessage.click();
    await expect.poll(() => copyMessage.textContent()).toBe("Copied");
    expect(await clipboard()).toBe("Show me a greeting in JavaScript");

    const copyCode = replies().first().getByRole("button", { name: "Copy code" });
    await copyCode.click();
    await expect.poll(() => copyCode.textContent()).toBe("Copied");
    expect(await clipboard()).toBe(CODE);

    const copyReply = replies().first().getByRole("button", { name: "Copy reply" });
    await copyReply.click();
    await expect.poll(() => copyReply.textContent()).toBe("Copied");
    expect(await clipboard()).toBe(`You said: Show me a greeting in JavaScript\n\n\`\`\`js\n${CODE}\n\`\`\``);
    await screenshot(page, "chat-actions-01-copied");
    // The feedback goes by itself.
    await expect.poll(() => copyReply.textContent(), { timeout: 5000 }).toBe("Copy");
  });

  it("sends the conversation's system prompt and temperature with every turn, and keeps them after a reload", async () => {
    expect(lastBody().messages.some((m) => m.role === "system")).toBe(false);
    expect(lastBody().temperature).toBeUndefined();

    await page.getByTestId("open-settings").click();
    await page.getByLabel("System prompt").fill(SYSTEM_PROMPT);
    await page.getByLabel("Temperature").fill("3");
    await page.getByTestId("save-settings").click();
    await page.getByText("Enter a number from 0 to 2").waitFor();
    await page.getByLabel("Temperature").fill("0.3");
    await screenshot(page, "chat-actions-02-settings");
    await page.getByTestId("save-settings").click();
    await page.getByTestId("chat-settings").waitFor({ state: "detached" });
    expect(await page.getByTestId("settings-summary").textContent()).toBe("System prompt · Temperature 0.3");

    await send("Where is the 9:15 freight?");
    let body = lastBody();
    expect(body.messages[0]).toMatchObject({ role: "system" });
    expect(textOf(body.messages[0]!.content)).toBe(SYSTEM_PROMPT);
    expect(body.temperature).toBe(0.3);
    expect(lastUserText(body)).toBe("Where is the 9:15 freight?");

    await page.reload();
    expect(await page.getByTestId("settings-summary").textContent()).toBe("System prompt · Temperature 0.3");
    await send("And the 10:40?");
    body = lastBody();
    expect(textOf(body.messages[0]!.content)).toBe(SYSTEM_PROMPT);
    expect(body.temperature).toBe(0.3);
    expect(body.messages.filter((m) => m.role === "system")).toHaveLength(1);
  });

  it("edits a sent message and sends it again in place of everything after it", async () => {
    expect(await userMessages().count()).toBe(3);
    const second = userMessages().nth(1);
    await second.getByRole("button", { name: "Edit message" }).click();
    const editor = page.getByTestId("edit-input");
    expect(await editor.inputValue()).toBe("Where is the 9:15 freight?");
    // Escape leaves the message as it was.
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });
    expect(await userMessages().count()).toBe(3);

    await second.getByRole("button", { name: "Edit message" }).click();
    await page.getByTestId("edit-input").fill("Where is the 9:20 freight?");
    await screenshot(page, "chat-actions-03-editing");
    const calls = upstream.received.length;
    await page.getByTestId("edit-send").click();
    await expect.poll(() => upstream.received.length).toBe(calls + 1);
    await expect.poll(() => userMessages().count()).toBe(2);
    await replies().nth(1).getByTestId("reply-meta").waitFor();

    const body = lastBody();
    expect(body.messages.filter((m) => m.role === "user").map((m) => textOf(m.content))).toEqual(["Show me a greeting in JavaScript", "Where is the 9:20 freight?"]);
    expect(JSON.stringify(body.messages)).not.toContain("10:40");
    expect(await replies().nth(1).getByTestId("message-content").textContent()).toContain("You said: Where is the 9:20 freight?");

    // Stored that way: a reload shows the edited history, not the replaced turns.
    await page.reload();
    await replies().nth(1).waitFor();
    expect(await userMessages().allTextContents()).toEqual([expect.stringContaining("Show me a greeting"), expect.stringContaining("9:20")]);
    expect(await replies().count()).toBe(2);
    await screenshot(page, "chat-actions-04-edited");
  });

  it("finds conversations by a word in their messages from the sidebar search", async () => {
    await page.getByTestId("new-chat").click();
    await startChat("Plan a zeppelin excursion");
    await send("Add a stop for ballooning");
    const items = page.getByTestId("conversation-item");
    await expect.poll(() => items.count()).toBe(2);

    const search = page.getByRole("searchbox", { name: "Search conversations" });
    // Only in the second message, not in the title.
    await search.fill("ballooning");
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain("zeppelin");

    await search.fill("freight");
    await expect.poll(() => items.allTextContents()).toEqual([expect.stringContaining("greeting")]);
    await items.first().getByRole("link").first().click();
    await page.waitForURL(`${base}/c/${conversationId}`);

    await search.fill("no such word anywhere");
    await page.getByTestId("search-empty").waitFor();
    expect(await items.count()).toBe(0);
    await screenshot(page, "chat-actions-05-search-empty");

    await search.press("Escape");
    await expect.poll(() => items.count()).toBe(2);
  });
});

describe("API keys on the team settings page", () => {
  it("creates a key with an expiry day and shows it in the list", async () => {
    await page.goto(`${base}/settings/teams/${setup.team.id}`);
    const keys = page.getByTestId("team-keys");
    await keys.getByLabel("Key name").fill("billing-service");
    await keys.getByLabel("Expires").fill("2099-12-31");
    await keys.getByRole("button", { name: "Create key" }).click();
    await page.getByTestId("new-key-value").waitFor();
    const listed = await must<{ data: Array<Record<string, any>> }>(await server.admin(`/api/admin/teams/${setup.team.id}/keys`));
    const key = listed.data.find((k) => k.name === "billing-service")!;
    // The end of that day where the browser is.
    expect(key.expiresAt).toBe(await page.evaluate(() => new Date(2100, 0, 1).toISOString()));
    expect(key.status).toBe("active");
    const row = page.locator(`[data-testid="key-row"][data-key-id="${key.id}"]`);
    expect(await row.textContent()).toContain("1 Jan 2100");
    await page.getByRole("button", { name: "I have saved it" }).click();
  });

  it("rotates a key: the new one is shown once, the old one works through the grace period and is refused after it", async () => {
    const row = page.locator('[data-testid="key-row"][data-key-name="test key"]');
    const oldId = (await row.getAttribute("data-key-id"))!;
    expect((await callV1(setup.key)).status).toBe(200);

    await row.getByTestId("rotate-key").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Old key keeps working for").selectOption("other");
    await dialog.getByLabel("Grace period").fill("3");
    await dialog.getByLabel("Unit").selectOption({ label: "seconds" });
    await dialog.getByText("The old key keeps working for 3 seconds, then is refused with 401.").waitFor();
    await screenshot(page, "chat-actions-06-rotate");
    const answer = page.waitForResponse((res) => res.url().endsWith(`/api/admin/keys/${oldId}/rotate`));
    await dialog.getByRole("button", { name: "Rotate key" }).click();
    const rotated = (await (await answer).json()) as Record<string, any>;
    const oldExpiry = Date.parse(rotated.oldKeyExpiresAt);

    const newKey = await page.getByTestId("new-key-value").inputValue();
    expect(newKey).toBe(rotated.key);
    await page.getByTestId("old-key-until").waitFor();
    expect(await page.locator(`[data-testid="key-row"][data-key-id="${oldId}"] [data-testid="key-status"]`).getAttribute("data-status")).toBe("expiring");
    await screenshot(page, "chat-actions-07-rotated");

    expect((await callV1(newKey)).status).toBe(200);
    const sentDuring = Date.now();
    const during = await callV1(setup.key);
    if (sentDuring < oldExpiry - 200) expect(during.status).toBe(200);

    // A short grace period measured from the answer: ask until the old key is refused.
    let refused: { status: number; body: Record<string, any> } | null = null;
    let refusedAt = 0;
    while (!refused && Date.now() < oldExpiry + 10_000) {
      const sentAt = Date.now();
      const res = await callV1(setup.key);
      if (res.status !== 200) {
        refused = res;
        refusedAt = sentAt;
      } else await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused?.status).toBe(401);
    expect(refusedAt).toBeGreaterThanOrEqual(oldExpiry - 50);
    expect(refused!.body.error).toMatchObject({ type: "invalid_request_error", code: "expired_api_key", message: expect.stringContaining("was rotated") });
    expect((await callV1(newKey)).status).toBe(200);

    await page.getByRole("button", { name: "I have saved it" }).click();
    await page.reload();
    const oldStatus = page.locator(`[data-testid="key-row"][data-key-id="${oldId}"] [data-testid="key-status"]`);
    await expect.poll(() => oldStatus.getAttribute("data-status")).toBe("expired");
    expect(await page.getByTestId("new-key-value").count()).toBe(0);
  });
});
