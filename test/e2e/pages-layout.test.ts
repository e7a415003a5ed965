/**
 * Every page at a phone's size (390×844) and a desktop's (1440×900), light and dark, signed in as
 * an admin and as a member: no sideways page scroll, no control over another or off the window,
 * no serious or critical axe-core finding, a title of its own, nothing answered 404. A screenshot
 * of each goes to test/e2e/screenshots/. Then what those pages promise: the phone menu, the skip
 * link, the 403 wording, the breadcrumb, distinct "Test connection" names, the favicon, compare's
 * default pair, Send refused for a model the team may no longer use.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, signIn, type Browser } from "../helpers/browser";
import { axeProblems, layoutProblems, pageScreenshot } from "../helpers/page-checks";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, DEMO_ENV, MEMBER, must, teamByName } from "./accounts";

const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1440, height: 900 },
] as const;
const THEMES = ["light", "dark"] as const;

interface PageSpec {
  name: string;
  path: string;
  status?: number;
}

let server: TestServer;
let base: string;
let demoTeamId: string;
let routeId: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  server = await startServer({ env: DEMO_ENV });
  base = browserUrl(server.url);
  demoTeamId = (await teamByName(server, "Demo team")).id;
  await must(await server.admin("/api/admin/users", { method: "POST", json: { ...MEMBER, name: "Mia Member", role: "member", teamIds: [demoTeamId] } }));
  // A long team name, which must wrap instead of running under the Users page's checkboxes.
  await must(await server.admin("/api/admin/teams", { method: "POST", json: { name: "Research and Development: Applied Language Models Platform Group" } }));
  // A second provider, so the providers table has two "Test connection" buttons to tell apart.
  await must(await server.admin("/api/admin/providers", { method: "POST", json: { name: "Backup simulator", kind: "simulator" } }));
  routeId = (await must<{ data: Array<{ id: string }> }>(await server.admin("/api/admin/routes"))).data[0]!.id;
}, 120_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.stop();
});

async function browserFor(email?: string, password?: string): Promise<Page> {
  const b = await openBrowser({ width: 1440, height: 900 });
  browsers.push(b);
  b.page.setDefaultTimeout(30_000);
  if (email && password) await signIn(b.page, base, email, password);
  return b.page;
}

/** Sends one message from the chat page and waits for the whole reply; returns the conversation's id. */
async function startConversation(page: Page, text: string, model?: string): Promise<string> {
  await page.goto(`${base}/`);
  if (model) await page.getByTestId("model-picker").selectOption(model);
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("send").click();
  await page.waitForURL(/\/c\/conv_[0-9a-f]+$/);
  await page.getByTestId("reply-meta").first().waitFor();
  return page.url().split("/").pop()!;
}

/** Loads a page and waits until it has settled: no request in flight, no "Loading…" left. */
async function load(page: Page, path: string): Promise<number | undefined> {
  const res = await page.goto(`${base}${path}`);
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => !/Loading\b/.test(document.getElementById("main-content")?.innerText ?? document.body.innerText));
  return res?.status();
}

/**
 * Opens each page at both sizes in both themes and returns everything wrong, one line each, so
 * a failure lists every page at fault instead of the first.
 */
async function checkPages(page: Page, role: string, pages: PageSpec[]): Promise<{ problems: string[]; titles: Map<string, string> }> {
  const problems: string[] = [];
  const titles = new Map<string, string>();
  const notFound: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const spec of pages) {
        const where = `${role} ${spec.name} at ${size.name} size, ${theme}`;
        const status = await load(page, spec.path);
        if (status !== (spec.status ?? 200)) problems.push(`${where}: answered ${status}`);
        const applied = await page.evaluate(() => document.documentElement.getAttribute("data-theme"));
        if (applied !== theme) problems.push(`${where}: the page is in the ${applied} theme`);
        titles.set(spec.name, await page.title());
        for (const p of await layoutProblems(page)) problems.push(`${where}: ${p}`);
        for (const p of await axeProblems(page)) problems.push(`${where}: ${p}`);
        await pageScreenshot(page, `${role}-${spec.name}-${size.name}-${theme}`);
      }
    }
  }
  for (const url of new Set(notFound)) problems.push(`${role}: ${url} answered 404`);
  return { problems, titles };
}

function expectOwnTitles(titles: Map<string, string>): void {
  for (const [name, title] of titles) expect(title, name).toMatch(/^\S.* · Switchyard$/);
  expect(new Set(titles.values()).size, [...titles.values()].join(" | ")).toBe(titles.size);
}

describe("every page on a phone and a desktop, light and dark", () => {
  it("fits and passes axe for a visitor", async () => {
    const page = await browserFor();
    const { problems, titles } = await checkPages(page, "visitor", [{ name: "sign-in", path: "/sign-in" }]);
    expect(problems).toEqual([]);
    expect(titles.get("sign-in")).toBe("Sign in · Switchyard");
  }, 300_000);

  it("fits and passes axe for an admin, and the admin's pages keep their promises", async () => {
    const page = await browserFor(ADMIN.email, ADMIN.password);
    // The first admin, created from the environment, is in the demo team and can chat at once.
    const conversationId = await startConversation(page, "Hello from the admin");
    // Its usage row, so the request log and My usage have a row (and its detail button) for axe to scan.
    expect((await server.usageRows(1)).length).toBe(1);
    const { problems, titles } = await checkPages(page, "admin", [
      { name: "chat", path: "/" },
      { name: "conversation", path: `/c/${conversationId}` },
      { name: "compare", path: "/compare" },
      { name: "usage", path: "/usage" },
      { name: "requests", path: "/usage/requests" },
      { name: "my-usage", path: "/my-usage" },
      { name: "providers", path: "/settings/providers" },
      { name: "models", path: "/settings/models" },
      { name: "routes", path: "/settings/routes" },
      { name: "route", path: `/settings/routes/${routeId}` },
      { name: "teams", path: "/settings/teams" },
      { name: "team", path: `/settings/teams/${demoTeamId}` },
      { name: "users", path: "/settings/users" },
    ]);
    expect(problems).toEqual([]);
    expectOwnTitles(titles);
    expect(titles.get("usage")).toBe("Usage · Switchyard");
    expect(titles.get("team")).toBe("Demo team · Teams · Switchyard");
    // The scanned request log had a row, whose detail button is named for the request it opens.
    await load(page, "/usage/requests");
    await page.getByTestId("request-row").first().getByRole("button", { name: /, details of request req_/ }).waitFor();

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });

    // /settings opens its first tab.
    await page.goto(`${base}/settings`);
    await page.waitForURL(`${base}/settings/providers`);
    const testButtons = page.getByRole("button", { name: /^Test connection/ });
    await testButtons.nth(1).waitFor();
    const names = await testButtons.evaluateAll((els) => els.map((el) => el.getAttribute("aria-label") ?? el.textContent));
    expect(names.sort()).toEqual(["Test connection to Backup simulator", "Test connection to Built-in simulator"]);

    // Desktop tables show every column.
    await load(page, "/settings/models");
    const modelHeaders = await page.getByTestId("models-table").locator("th").allTextContents();
    for (const h of ["Fallbacks", "Breaker"]) expect(modelHeaders.join("|")).toContain(h);
    const firstModel = page.getByTestId("model-row").first();
    for (const b of [/^Edit /, /^Delete /]) expect(await firstModel.getByRole("button", { name: b }).isVisible()).toBe(true);
    await load(page, "/settings/teams");
    expect(await page.getByTestId("teams-table").locator("th").allTextContents()).toEqual(expect.arrayContaining(["RPM", "TPM", "Models"]));

    // The team page's breadcrumb names the team.
    await load(page, `/settings/teams/${demoTeamId}`);
    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("listitem");
    expect(await crumbs.allInnerTexts()).toEqual(["Teams", "Demo team"]);
    expect(await crumbs.last().getAttribute("aria-current")).toBe("page");

    // The favicon the pages link to is served.
    const icon = await page.locator('head link[rel="icon"]').first().getAttribute("href");
    const iconRes = await fetch(new URL(icon!, server.url));
    expect(iconRes.status).toBe(200);
    expect(iconRes.headers.get("content-type")).toContain("image/svg+xml");

    // The skip link is the first stop for the keyboard and lands in the page's content.
    await load(page, "/settings/teams");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "main-content");

    // On a phone the top bar folds into a menu; Settings and Sign out are in it, inside the window.
    await page.setViewportSize({ width: 390, height: 844 });
    await load(page, "/");
    const menuButton = page.getByRole("button", { name: "Menu" });
    expect(await page.getByRole("link", { name: "Settings" }).isVisible()).toBe(false);
    await menuButton.click();
    for (const item of [page.getByRole("link", { name: "Settings" }), page.getByRole("button", { name: "Sign out" })]) {
      await item.waitFor();
      const box = (await item.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name: "Settings" }).waitFor({ state: "hidden" });
    // Compare's panes stack there, so each model picker is wide enough to read.
    await load(page, "/compare");
    for (const side of ["left", "right"]) {
      const box = (await page.getByTestId(`model-picker-${side}`).boundingBox())!;
      expect(box.width, side).toBeGreaterThan(240);
    }
    await load(page, "/");
    // The conversations are a drawer there.
    const drawerToggle = page.getByRole("button", { name: "Conversations" });
    await drawerToggle.click();
    await page.getByTestId("conversation-item").filter({ hasText: "Hello from the admin" }).click();
    await page.waitForURL(`${base}/c/${conversationId}`);
    expect(await drawerToggle.getAttribute("aria-expanded")).toBe("false");
  }, 600_000);

  it("fits and passes axe for a member, and tells them plainly what they may not do", async () => {
    const page = await browserFor(MEMBER.email, MEMBER.password);
    const conversationId = await startConversation(page, "Hello from the member", "sim-slow");
    expect((await server.usageRows(2)).length).toBe(2);
    const { problems, titles } = await checkPages(page, "member", [
      { name: "chat", path: "/" },
      { name: "conversation", path: `/c/${conversationId}` },
      { name: "compare", path: "/compare" },
      { name: "usage", path: "/usage", status: 403 },
      { name: "requests", path: "/usage/requests", status: 403 },
      { name: "my-usage", path: "/my-usage" },
      { name: "settings", path: "/settings/providers", status: 403 },
    ]);
    expect(problems).toEqual([]);
    expectOwnTitles(titles);

    await page.setViewportSize({ width: 1440, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });

    // A 403 on /usage is about usage, not settings.
    await load(page, "/usage");
    const reason = await page.getByTestId("forbidden-reason").innerText();
    expect(reason).toContain("usage dashboard");
    expect(reason).not.toMatch(/settings/i);

    // My usage was scanned with the member's own request in it, its detail button named.
    await load(page, "/my-usage");
    await page.getByTestId("request-row").first().getByRole("button", { name: /, details of request req_/ }).waitFor();

    // Compare starts from the model last used, against another (not simply the first two by name).
    await load(page, "/compare");
    expect(await page.getByTestId("model-picker-left").inputValue()).toBe("sim-slow");
    expect(await page.getByTestId("model-picker-right").inputValue()).toBe("sim-balanced");

    // The team loses the conversation's model: the conversation can be read, but not continued.
    await must(await server.admin(`/api/admin/teams/${demoTeamId}`, { method: "PATCH", json: { allowedModels: ["sim-fast"] } }));
    await load(page, `/c/${conversationId}`);
    await page.getByTestId("composer-input").fill("One more?");
    expect(await page.getByTestId("send").isDisabled()).toBe(true);
    expect(await page.getByTestId("composer-blocked").innerText()).toBe("Your team may not use sim-slow. Pick another model to send.");
  }, 600_000);
});

describe("dark mode", () => {
  it("follows the system until toggled, and the toggle survives a reload from the first paint", async () => {
    const page = await browserFor();
    const themeAtFirstPaint = async () => {
      await page.reload({ waitUntil: "commit" });
      await page.waitForFunction(() => document.body !== null);
      return page.evaluate(() => [document.documentElement.getAttribute("data-theme"), getComputedStyle(document.body).backgroundColor]);
    };

    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${base}/sign-in`);
    const [darkTheme, darkBg] = await themeAtFirstPaint();
    expect(darkTheme).toBe("dark");
    await page.emulateMedia({ colorScheme: "light" });
    const [lightTheme, lightBg] = await themeAtFirstPaint();
    expect(lightTheme).toBe("light");
    expect(darkBg).not.toBe(lightBg);

    // The system is light; the person picks dark, and it stays dark across a reload.
    const toggle = page.getByTestId("theme-toggle");
    await page.waitForLoadState("networkidle");
    await toggle.click();
    await page.waitForFunction(() => document.documentElement.getAttribute("data-theme") === "dark");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    expect(await themeAtFirstPaint()).toEqual([darkTheme, darkBg]);
    await page.waitForLoadState("networkidle");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");

    // Back to light: the choice now matches the system again, so the page follows the system.
    await toggle.click();
    await page.waitForFunction(() => document.documentElement.getAttribute("data-theme") === "light");
    await page.emulateMedia({ colorScheme: "dark" });
    expect((await themeAtFirstPaint())[0]).toBe("dark");
  }, 120_000);
});
