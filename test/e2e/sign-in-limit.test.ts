/**
 * The sign-in form after too many wrong passwords: it says how long to wait, in words, and the
 * right password does not get around it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, DEMO_ENV } from "./accounts";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({ env: { ...DEMO_ENV, SWITCHYARD_SIGNIN_MAX_ATTEMPTS: "2" } });
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("sign-in limit in the browser", () => {
  it("shows the wait in words after too many wrong passwords", async () => {
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    const base = browserUrl(server.url);
    await page.goto(`${base}/sign-in`);
    const error = page.getByTestId("sign-in-error");

    /** Submits, waits for the server's answer and for the form to show it, and returns the message. */
    const submit = async (password: string) => {
      await page.getByLabel("Email").fill(ADMIN.email);
      await page.getByLabel("Password").fill(password);
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/auth/sign-in/email"));
      await page.getByRole("button", { name: "Sign in" }).click();
      await answered;
      // The button reads "Signing in…" until the answer has been handled and shown.
      await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
      return (await error.textContent()) ?? "";
    };

    for (let i = 0; i < 2; i++) expect(await submit(`wrong-password-${i}`)).toBe("That email and password do not match an account.");
    expect(await submit("wrong-password-2")).toMatch(/^Too many sign-in attempts, try again in \d+ s\.$/);
    await screenshot(page, "sign-in-limited", { fullPage: false });
    // The right password during the lock-out is refused the same way.
    expect(await submit(ADMIN.password)).toMatch(/^Too many sign-in attempts, try again in \d+ s\.$/);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });
});
