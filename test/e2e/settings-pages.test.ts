/**
 * The providers, models and teams pages in a real browser against the built server: add a provider
 * pointing at a loopback upstream and test its connection, add models, create a team and a key
 * (shown once), call the gateway with it, revoke it and see the gateway refuse it.
 */
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { completion, sendJson, startUpstream, type TestUpstream } from "../helpers/upstream";
import { ADMIN, must, userByEmail } from "./accounts";

const UPSTREAM_KEY = "sk-upstream-browser-test-9876";

let server: TestServer;
let upstream: TestUpstream;
let browser: Browser | undefined;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.path === "/v1/models") {
      if (req.headers.authorization !== `Bearer ${UPSTREAM_KEY}`) return sendJson(res, 401, { error: { message: "bad key" } });
      return sendJson(res, 200, { object: "list", data: [{ id: "up-large" }, { id: "up-small" }] });
    }
    const model = String(req.body?.model ?? "up-small");
    sendJson(res, 200, completion(model, "hello from the loopback upstream", { prompt_tokens: 12, completion_tokens: 5 }));
  });
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await upstream?.close();
});

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

const chat = (key: string, model: string) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

describe("providers, models, teams and keys in the browser", () => {
  it("adds a provider and tests it, adds models, creates a team and a key, and revokes the key", async () => {
    browser = await openBrowser();
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const base = browserUrl(server.url);

    await page.goto(`${base}/sign-in?next=/settings/providers`);
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.waitForURL(`${base}/settings/providers`);

    // Providers: empty state, validation as you type, add, test the connection.
    await page.getByTestId("providers-empty").getByText("No providers yet").waitFor();
    const form = page.getByTestId("provider-form");
    await form.getByLabel("Name").fill("loopback");
    await form.getByLabel("Base URL").fill("localhost:1234");
    await page.getByTestId("provider-baseUrl-error").getByText("Enter an http:// or https:// URL").waitFor();
    await screenshot(page, "settings-01-providers-empty");
    await form.getByLabel("Base URL").fill(upstream.baseUrl);
    await page.getByTestId("provider-baseUrl-error").waitFor({ state: "detached" });
    await form.getByLabel("API key").fill(UPSTREAM_KEY);
    expect(await form.getByLabel("API key").getAttribute("type")).toBe("password");
    await form.getByRole("button", { name: "Add provider" }).click();
    const row = page.getByTestId("provider-row").filter({ hasText: "loopback" });
    await row.waitFor();
    expect(await row.textContent()).toContain("••••9876");
    expect(await page.content()).not.toContain(UPSTREAM_KEY);

    await row.getByRole("button", { name: "Test connection" }).click();
    const result = page.getByTestId("test-result");
    await result.getByText("2 model(s) listed").waitFor();
    expect(await result.textContent()).toContain("up-large");
    expect(upstream.received.at(-1)).toMatchObject({ path: "/v1/models" });
    expect(upstream.received.at(-1)!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    await screenshot(page, "settings-02-provider-tested");

    // The server's error lands under the field its param names (a duplicate name is a 409 on "name").
    await form.getByRole("radio", { name: /Simulator/ }).check();
    await form.getByLabel("Name").fill("loopback");
    await form.getByRole("button", { name: "Add provider" }).click();
    await page.getByTestId("provider-name-error").getByText("already exists").waitFor();
    await form.getByLabel("Name").fill("sim");
    await form.getByRole("button", { name: "Add provider" }).click();
    const sim = page.getByTestId("provider-row").filter({ hasText: "Simulator" });
    await sim.getByRole("button", { name: "Test connection" }).click();
    await page.getByTestId("test-result").filter({ hasText: "Connected" }).nth(1).waitFor();

    // A provider that cannot be reached: the error in words, then deleted through the dialog.
    await form.getByRole("radio", { name: /OpenAI-compatible/ }).check();
    await form.getByLabel("Name").fill("nowhere");
    const closedPort = await freePort();
    await form.getByLabel("Base URL").fill(`http://127.0.0.1:${closedPort}/v1`);
    await form.getByRole("button", { name: "Add provider" }).click();
    const broken = page.getByTestId("provider-row").filter({ hasText: "nowhere" });
    await broken.getByRole("button", { name: "Test connection" }).click();
    await page.getByTestId("test-result").filter({ hasText: "Connection failed" }).getByText("Connection refused. Is the server running").waitFor();
    await screenshot(page, "settings-03-provider-unreachable");
    await broken.getByRole("button", { name: "Delete nowhere" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Delete provider" }).click();
    await broken.waitFor({ state: "detached" });

    // Models: the sub-navigation, then two models, the second falling back to the first.
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Models" }).click();
    await page.waitForURL(`${base}/settings/models`);
    await page.getByTestId("models-empty").waitFor();
    const mform = page.getByTestId("model-form");
    await mform.getByLabel("Provider").selectOption({ label: "loopback" });
    await mform.getByRole("button", { name: "List models" }).click();
    await mform.getByText("2 model(s) from the provider are suggested").waitFor();
    await mform.getByLabel("Name", { exact: true }).fill("small");
    await mform.getByLabel("Upstream model").fill("up-small");
    await mform.getByLabel("Input price").fill("abc");
    await page.getByTestId("model-inputPrice-error").getByText("must be a number").waitFor();
    await mform.getByLabel("Input price").fill("0.15");
    await mform.getByLabel("Output price").fill("0.6");
    await mform.getByRole("button", { name: "Add model" }).click();
    await page.getByTestId("model-row").filter({ hasText: "small" }).waitFor();

    await mform.getByLabel("Provider").selectOption({ label: "loopback" });
    await mform.getByLabel("Name", { exact: true }).fill("large");
    await mform.getByLabel("Upstream model").fill("up-large");
    await mform.getByLabel("Input price").fill("2.5");
    await mform.getByLabel("Output price").fill("10");
    await mform.getByLabel("Tokens per minute").fill("200000");
    await mform.getByLabel("Fallbacks").selectOption("small");
    await mform.getByRole("button", { name: "Add model" }).click();
    const large = page.getByTestId("model-row").filter({ hasText: "up-large" });
    await large.waitFor();
    const largeText = (await large.textContent()) ?? "";
    expect(largeText).toContain("$2.50");
    expect(largeText).toContain("200,000");
    expect(largeText).toContain("small");
    expect(await large.getByTestId("breaker-badge").textContent()).toBe("closed");

    // Edit: only what changed is sent.
    await large.getByRole("button", { name: "Edit large" }).click();
    await mform.getByLabel("Requests per minute").fill("600");
    await mform.getByRole("button", { name: "Save changes" }).click();
    await page.getByTestId("model-notice").getByText("Saved large.").waitFor();
    expect(await large.textContent()).toContain("600");
    await screenshot(page, "settings-04-models");

    // Teams: empty state, create, land on the team page.
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Teams" }).click();
    await page.getByTestId("teams-empty").waitFor();
    const tform = page.getByTestId("new-team-form");
    await tform.getByLabel("Name").fill("Browser Team");
    await tform.getByLabel("Daily budget").fill("-1");
    await page.getByTestId("team-dailyBudget-error").waitFor();
    await tform.getByLabel("Daily budget").fill("5");
    await tform.getByLabel("Monthly budget").fill("100");
    await tform.getByRole("button", { name: "Create team" }).click();
    await page.waitForURL(/\/settings\/teams\/team_[0-9a-f]+$/);
    await page.getByRole("heading", { name: "Browser Team" }).waitFor();
    const teamId = page.url().split("/").pop()!;

    // A key, shown once with a warning; it works at the gateway.
    await page.getByTestId("keys-empty").waitFor();
    await page.getByLabel("Key name").fill("ci-key");
    await page.getByRole("button", { name: "Create key" }).click();
    const box = page.getByTestId("new-key");
    await box.waitFor();
    const key = await box.getByTestId("new-key-value").inputValue();
    expect(key).toMatch(/^sk-sy-/);
    await box.getByText("It will not be shown again").waitFor();
    await box.getByRole("button", { name: "Copy" }).waitFor();
    const keyRow = page.getByTestId("key-row").filter({ hasText: "ci-key" });
    await keyRow.waitFor();
    expect(await keyRow.textContent()).toContain(key.slice(0, 10));
    await screenshot(page, "settings-05-key-once");

    const ok = await chat(key, "large");
    expect(ok.status).toBe(200);
    expect((await ok.json()).choices[0].message.content).toBe("hello from the loopback upstream");

    // Allowed models: none ticked is refused as you type; limited to "large", the team cannot use "small".
    const edit = page.getByTestId("team-edit-form");
    await edit.getByLabel("Every model and route").uncheck();
    await edit.getByRole("button", { name: "Save changes" }).click();
    await page.getByTestId("team-edit-allowedModels-error").getByText("Tick at least one model").waitFor();
    await edit.getByTestId("team-edit-allowed-models").getByLabel("large").check();
    await edit.getByRole("button", { name: "Save changes" }).click();
    await edit.getByTestId("team-saved").waitFor();
    expect((await must(await server.admin(`/api/admin/teams/${teamId}`))).allowedModels).toEqual(["large"]);
    expect((await chat(key, "small")).status).toBe(404);
    expect((await chat(key, "large")).status).toBe(200);

    await box.getByRole("button", { name: "I have saved it" }).click();
    await box.waitFor({ state: "detached" });
    await page.reload();
    await keyRow.waitFor();
    expect(await page.content()).not.toContain(key);

    // Members: add the admin to the team, then remove them again.
    const admin = await userByEmail(server, ADMIN.email);
    const members = page.getByTestId("team-members");
    await members.getByLabel("Add a person").selectOption(admin.id);
    await members.getByRole("button", { name: "Add member" }).click();
    await members.getByTestId("member").filter({ hasText: ADMIN.email }).waitFor();
    expect((await must(await server.admin(`/api/admin/users/${admin.id}`))).teams).toEqual([{ id: teamId, name: "Browser Team" }]);
    // Removing asks first: Cancel keeps them, confirming removes them.
    await members.getByRole("button", { name: `Remove ${ADMIN.email} from the team` }).click();
    const removeDialog = page.getByRole("dialog", { name: /from the team\?/ });
    await removeDialog.getByText(`${ADMIN.email} can no longer chat`).waitFor();
    await removeDialog.getByRole("button", { name: "Cancel" }).click();
    await removeDialog.waitFor({ state: "hidden" });
    expect((await must(await server.admin(`/api/admin/users/${admin.id}`))).teams).toEqual([{ id: teamId, name: "Browser Team" }]);
    await members.getByRole("button", { name: `Remove ${ADMIN.email} from the team` }).click();
    await removeDialog.getByRole("button", { name: "Remove from team" }).click();
    await removeDialog.waitFor({ state: "hidden" });
    await members.getByTestId("members-empty").waitFor();
    expect((await must(await server.admin(`/api/admin/users/${admin.id}`))).teams).toEqual([]);

    // Revoke through the confirmation dialog: the gateway refuses the key from then on.
    await keyRow.getByRole("button", { name: "Revoke ci-key" }).click();
    await page.getByRole("dialog").waitFor();
    await screenshot(page, "settings-06-revoke-confirm", { fullPage: false });
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    await keyRow.getByTestId("key-status").filter({ hasText: "revoked" }).waitFor();
    const refused = await chat(key, "large");
    expect(refused.status).toBe(401);
    await screenshot(page, "settings-07-key-revoked");

    // The team list shows today's spend against the daily cap.
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Teams" }).click();
    const teamRow = page.getByTestId("team-row").filter({ hasText: "Browser Team" });
    await teamRow.waitFor();
    expect(await teamRow.getByTestId("spend-day").textContent()).toContain("of $5.00");
    expect(await teamRow.getByTestId("spend-month").textContent()).toContain("of $100.00");
    await screenshot(page, "settings-08-teams");

    expect(pageErrors).toEqual([]);
  }, 90_000);
});
