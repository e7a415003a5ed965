/**
 * First start with no accounts: every page leads to the setup page, which creates the first admin
 * and signs them in; after that, setup is closed. Opened from another machine (this host's own
 * non-loopback address), the page also asks for the setup token printed at start.
 */
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";

const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

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
    page.setDefaultTimeout(30_000);
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

describe("first-start setup from another machine", () => {
  let remote: TestServer | undefined;
  let other: Browser | undefined;
  afterAll(async () => {
    await other?.close();
    await remote?.stop();
  });

  it.skipIf(!hostAddress)("asks for the setup token, refuses a wrong one under its field, and accepts the printed one", async () => {
    remote = await startServer({ env: { HOSTNAME: "0.0.0.0" } });
    const token = /Setup token \(to create the first admin from another machine\): (sy-setup-\S+)/.exec(remote.output())?.[1];
    expect(token, remote.output()).toBeDefined();
    other = await openBrowser();
    const { page } = other;
    page.setDefaultTimeout(30_000);
    // Plain http on an address other than localhost: sign-in cookies must not be Secure-only.
    const base = `http://${hostAddress}:${new URL(remote.url).port}`;

    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/setup`);
    const form = page.getByTestId("setup-form");
    await form.getByLabel("Your name").fill("Rita Remote");
    await form.getByLabel("Email").fill("rita@example.com");
    await form.getByLabel("Password").fill("a-long-enough-password");
    await form.getByRole("button", { name: "Create admin and sign in" }).click();
    expect(await page.getByTestId("setupToken-error").textContent()).toBe("Enter the setup token from the server's start-up output");

    await form.getByLabel("Setup token").fill("sy-setup-not-the-right-one");
    await form.getByRole("button", { name: "Create admin and sign in" }).click();
    expect(await page.getByTestId("setupToken-error").textContent()).toBe("That is not the setup token this server printed when it started.");
    await screenshot(page, "setup-03-token-refused");

    await form.getByLabel("Setup token").fill(token!);
    await form.getByRole("button", { name: "Create admin and sign in" }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.getByTestId("nav-email").textContent()).toBe("rita@example.com");
    expect(remote.db().prepare("select email, role from users").all()).toEqual([{ email: "rita@example.com", role: "admin" }]);
  });
});
