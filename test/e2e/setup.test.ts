/**
 * First start with no accounts: every page leads to the setup page, which creates the first admin
 * and signs them in; after that, setup is closed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("first-start setup in the browser", () => {
  it("creates the first admin, signs them in, and closes setup", async () => {
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    const base = browserUrl(server.url);

    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/setup`);
    const form = page.getByTestId("setup-form");
    await form.getByLabel("Your name").fill("Ada Admin");
    await form.getByLabel("Email").fill("ada@example.com");
    await form.getByLabel("Password").fill("short");
    await form.getByRole("button", { name: "Create admin and sign in" }).click();
    expect(await page.getByTestId("password-error").textContent()).toBe("Use at least 8 characters");
    await screenshot(page, "setup-01-validation");

    await form.getByLabel("Password").fill("a-long-enough-password");
    await form.getByRole("button", { name: "Create admin and sign in" }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.getByTestId("nav-email").textContent()).toBe("ada@example.com");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).waitFor();
    await page.getByTestId("no-team").waitFor();
    await screenshot(page, "setup-02-signed-in");

    const user = server.db().prepare("select email, role from users").all();
    expect(user).toEqual([{ email: "ada@example.com", role: "admin" }]);
    await page.goto(`${base}/setup`);
    expect(page.url()).toBe(`${base}/`);
    expect((await fetch(`${server.url}/api/setup`).then((r) => r.json())).needsSetup).toBe(false);
  });
});
