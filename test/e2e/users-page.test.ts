/**
 * The users page in a real browser against the built server with the demo data: an admin creates
 * a member of "Demo team", the member signs in elsewhere and chats, the admin renames them, resets
 * their password and deletes them, and the member's next request is refused.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, DEMO_ENV } from "./accounts";

const PERSON = { email: "mia@example.com", name: "Mia Member", password: "mia-password-1" };

let server: TestServer;
let base: string;
let admin: Browser;
let member: Browser | undefined;
const pageErrors: string[] = [];

/** A same-origin request from inside the page, so it carries exactly the browser's cookies. */
const statusOf = (page: Page, path: string) => page.evaluate(async (p) => (await fetch(p, { cache: "no-store" })).status, path);

/** Signs in over the API. The test server's sign-in limits are set far above what this suite uses. */
async function signInStatus(email: string, password: string): Promise<number> {
  const res = await fetch(`${server.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ email, password }),
  });
  return res.status;
}

beforeAll(async () => {
  server = await startServer({ env: DEMO_ENV });
  base = browserUrl(server.url);
  admin = await openBrowser();
  admin.page.setDefaultTimeout(10_000);
  admin.page.on("pageerror", (err) => pageErrors.push(err.message));
});

afterAll(async () => {
  await member?.close();
  await admin?.close();
  await server?.stop();
});

describe("users page in the browser", () => {
  it("starts empty, validates as you type, puts the server's error under its field, and creates a member", async () => {
    const { page } = admin;
    await page.goto(`${base}/sign-in?next=/settings/users`);
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.waitForURL(`${base}/settings/users`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Users" }).waitFor();
    await page.getByTestId("users-empty").getByText("Nobody else here yet").waitFor();
    const self = page.locator(`[data-testid="user-row"][data-email="${ADMIN.email}"]`);
    expect(await self.textContent()).toContain("(you)");
    expect(await self.getByRole("button", { name: `Delete ${ADMIN.email}` }).isDisabled()).toBe(true);
    await screenshot(page, "users-01-empty");

    const form = page.getByTestId("new-user-form");
    await form.getByLabel("Email").fill("mia@");
    await page.getByTestId("user-email-error").getByText("Enter an email address like name@example.com").waitFor();
    await form.getByLabel("Initial password").fill("short");
    await page.getByTestId("user-password-error").getByText("The password must be at least 8 characters (5 so far)").waitFor();
    await screenshot(page, "users-02-validation");

    // An email that is taken only the server knows about: its answer lands under the email field.
    await form.getByLabel("Email").fill(ADMIN.email);
    await form.getByLabel("Name").fill(PERSON.name);
    await form.getByLabel("Initial password").fill(PERSON.password);
    await page.getByTestId("user-password-error").waitFor({ state: "detached" });
    await form.getByRole("button", { name: "Create person" }).click();
    await page.getByTestId("user-email-error").getByText(`A user with email '${ADMIN.email}' already exists.`).waitFor();
    await screenshot(page, "users-03-server-error");

    await form.getByLabel("Email").fill(PERSON.email);
    await page.getByTestId("user-email-error").waitFor({ state: "detached" });
    expect(await form.getByLabel("Role").inputValue()).toBe("member");
    await form.getByTestId("user-teamIds").getByLabel("Demo team").check();
    await form.getByRole("button", { name: "Create person" }).click();

    const row = page.locator(`[data-testid="user-row"][data-email="${PERSON.email}"]`);
    await row.waitFor();
    expect(await row.getByTestId("user-role").textContent()).toBe("member");
    expect(await row.getByTestId("user-teams").textContent()).toBe("Demo team");
    expect(await page.getByTestId("users-notice").textContent()).toBe(`Created ${PERSON.email} in Demo team. They can sign in now.`);
    await page.getByTestId("users-empty").waitFor({ state: "detached" });
    // The form starts over for the next person.
    expect(await form.getByLabel("Email").inputValue()).toBe("");
    await screenshot(page, "users-04-created");
  });

  it("lets the new member sign in elsewhere, see Demo team, chat, and not open settings", async () => {
    member = await openBrowser();
    const { page } = member;
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => pageErrors.push(err.message));
    await page.goto(`${base}/sign-in`);
    await signIn(page, base, PERSON.email, PERSON.password);
    await page.waitForURL(`${base}/`);

    const me = await page.evaluate(async () => (await fetch("/api/me", { cache: "no-store" })).json());
    expect(me).toMatchObject({ email: PERSON.email, name: PERSON.name, role: "member", teams: [{ name: "Demo team" }] });

    await page.getByTestId("model-picker").selectOption("sim-fast");
    const input = page.getByTestId("composer-input");
    await input.fill("Hello from a brand-new member");
    await input.press("Enter");
    await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
    const reply = page.locator('[data-testid="message"][data-role="assistant"]').first();
    expect(await reply.getByTestId("reply-meta").textContent()).toMatch(/^sim-fast · \d+ → \d+ tokens · /);
    expect((await reply.getByTestId("message-content").textContent())?.length).toBeGreaterThan(0);
    await screenshot(page, "users-05-member-chat");

    await page.goto(`${base}/settings/users`);
    await page.getByTestId("forbidden").waitFor();
    expect(await statusOf(page, "/api/admin/users")).toBe(403);
  });

  it("renames the member inline and resets their password", async () => {
    const { page } = admin;
    const row = page.locator(`[data-testid="user-row"][data-email="${PERSON.email}"]`);
    await row.getByRole("button", { name: `Edit ${PERSON.email}` }).click();
    const edit = page.getByTestId("user-edit-form");
    expect(await edit.getByTestId("user-edit-teamIds").getByLabel("Demo team").isChecked()).toBe(true);
    expect(await edit.getByRole("button", { name: "Save changes" }).isDisabled()).toBe(true);
    await edit.getByLabel("Name").fill("");
    await page.getByTestId("user-edit-name-error").getByText("Enter a name for the person").waitFor();
    await edit.getByLabel("Name").fill("Mia M.");
    await screenshot(page, "users-06-edit-inline");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await edit.waitFor({ state: "detached" });
    await row.getByText("Mia M.").waitFor();

    await row.getByRole("button", { name: `Reset password for ${PERSON.email}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("New password").fill("1234567");
    await page.getByTestId("reset-password-error").getByText("The password must be at least 8 characters (7 so far)").waitFor();
    await dialog.getByLabel("New password").fill("mia-new-password-2");
    await screenshot(page, "users-07-reset-password", { fullPage: false });
    await dialog.getByRole("button", { name: "Set password" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await page.getByTestId("users-notice").textContent()).toBe(`Changed the password of ${PERSON.email}.`);

    expect(await signInStatus(PERSON.email, "mia-new-password-2")).toBe(200);
    // A new password ends the sessions the person already had.
    expect(await statusOf(member!.page, "/api/me")).toBe(401);
  });

  it("deletes the member after confirming, and their next request is refused with 401", async () => {
    const memberPage = member!.page;
    await signIn(memberPage, base, PERSON.email, "mia-new-password-2");
    expect(await statusOf(memberPage, "/api/me")).toBe(200);

    const { page } = admin;
    const row = page.locator(`[data-testid="user-row"][data-email="${PERSON.email}"]`);
    await row.getByRole("button", { name: `Delete ${PERSON.email}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("is signed out everywhere at once").waitFor();
    await screenshot(page, "users-08-delete-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete person" }).click();
    await row.waitFor({ state: "detached" });
    await page.getByTestId("users-empty").waitFor();
    expect(await page.getByTestId("users-notice").textContent()).toBe(`Deleted ${PERSON.email}. They are signed out and can no longer sign in.`);
    await screenshot(page, "users-09-deleted");

    expect(await statusOf(memberPage, "/api/me")).toBe(401);
    await memberPage.goto(`${base}/`);
    await memberPage.waitForURL(`${base}/sign-in`);
    await screenshot(memberPage, "users-10-member-signed-out");
    expect(pageErrors).toEqual([]);
  });
});
