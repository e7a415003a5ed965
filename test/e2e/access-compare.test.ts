/**
 * Who may open what, and compare mode: anonymous visitors go to sign in, a member gets a 403 page
 * for settings and is told when they are in no team, and an admin compares two simulated models
 * streaming side by side.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, DEMO_ENV, MEMBER, eventually, must, setTeams, teamByName, tuneModel, userByEmail } from "./accounts";

let server: TestServer;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  server = await startServer({ env: DEMO_ENV });
  const demo = await teamByName(server, "Demo team");
  await setTeams(server, (await userByEmail(server, ADMIN.email)).id, [demo.id]);
  await must(await server.admin("/api/admin/users", { method: "POST", json: { ...MEMBER, name: "Mia Member", role: "member" } }));
  // Both slow enough that the two replies are visibly on their way at the same time.
  await tuneModel(server, "sim-balanced", { ttftMs: 200, tokensPerSecond: 25, outputTokens: 50 });
  // sim-slow's first token comes late enough that its pane is seen waiting for it.
  await tuneModel(server, "sim-slow", { ttftMs: 800, tokensPerSecond: 30, outputTokens: 50 });
  base = browserUrl(server.url);
  browser = await openBrowser();
  page = browser.page;
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("access and compare mode in the browser", () => {
  const pageErrors: string[] = [];

  it("sends anonymous visitors to sign in, and keeps setup closed once an admin exists", async () => {
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const settings = await page.goto(`${base}/settings/routes`);
    expect(page.url()).toBe(`${base}/sign-in?next=%2Fsettings`);
    expect(settings?.request().redirectedFrom()?.url()).toBe(`${base}/settings/routes`);
    await page.getByTestId("sign-in-form").waitFor();
    await screenshot(page, "access-01-sign-in");

    await page.goto(`${base}/compare`);
    expect(page.url()).toBe(`${base}/sign-in?next=%2Fcompare`);
    await page.goto(`${base}/setup`);
    expect(page.url()).toBe(`${base}/sign-in`);
    const api = await fetch(`${server.url}/api/conversations`);
    expect(api.status).toBe(401);
  });

  it("tells a member in no team so, and refuses them settings with a 403 page", async () => {
    await signIn(page, base, MEMBER.email, MEMBER.password);
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByTestId("no-team").getByText("You are not in any team yet").waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Compare" }).waitFor();
    expect(await nav.getByRole("link", { name: "Settings" }).count()).toBe(0);
    await screenshot(page, "access-02-member-no-team");

    const res = await page.goto(`${base}/settings/routes`);
    expect(res?.status()).toBe(403);
    await page.getByTestId("forbidden").getByRole("heading", { name: "Admins only" }).waitFor();
    expect(page.url()).toBe(`${base}/settings/routes`);
    await screenshot(page, "access-03-member-forbidden");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/sign-in`);
  });

  it("compares two simulated models side by side, both streaming at once", async () => {
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Compare" }).click();
    await page.waitForURL(`${base}/compare`);
    await page.getByTestId("model-picker-left").selectOption("sim-balanced");
    await page.getByTestId("model-picker-right").selectOption("sim-slow");
    const input = page.getByTestId("composer-input");
    await input.fill("Explain a railway switch in two sentences.");
    await input.press("Enter");
    // Until its first token, a pane says whom it waits for rather than showing an empty reply.
    await page.getByTestId("compare-right").getByTestId("pending-reply").getByText("Waiting for sim-slow to answer…").waitFor();

    const panes = ["left", "right"] as const;
    const state = () =>
      page.evaluate((sides) =>
        sides.map((side) => {
          const pane = document.querySelector(`[data-testid="compare-${side}"]`);
          const replies = pane?.querySelectorAll('[data-role="assistant"] [data-testid="message-content"]');
          return { status: pane?.getAttribute("data-status"), length: replies?.[replies.length - 1]?.textContent?.length ?? 0 };
        }),
      panes);
    let bothStreaming = false;
    let started = false;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const now = await state();
      started ||= now.some((p) => p.status !== "ready");
      if (now.every((p) => p.status === "streaming" && p.length > 0)) {
        if (!bothStreaming) await screenshot(page, "access-04-compare-streaming");
        bothStreaming = true;
      }
      if (started && now.every((p) => p.status === "ready")) break;
      await page.waitForTimeout(80);
    }
    expect(bothStreaming).toBe(true);

    const metaOf = async (side: string) => {
      const meta = page.getByTestId(`compare-${side}`).getByTestId("reply-meta");
      await meta.waitFor();
      return (await meta.textContent()) ?? "";
    };
    const metaLeft = await metaOf("left");
    const metaRight = await metaOf("right");
    expect(metaLeft).toMatch(/^sim-balanced · \d+ → 50 tokens · \$0\.\d{6} · latency [\d,]+ ms · TTFT \d+ ms$/);
    expect(metaRight).toMatch(/^sim-slow · \d+ → 50 tokens · \$0\.\d{6} · latency [\d,]+ ms · TTFT \d+ ms$/);
    await screenshot(page, "access-05-compare-done");

    // Compare mode stores nothing: no conversation was created for the admin.
    expect(server.db().prepare("select count(*) as n from conversations").get()).toEqual({ n: 0 });
    const rows = await eventually(() => {
      const ok = server.db().prepare("select sticky_key, served_model from usage where status = 'ok' order by id").all() as Array<Record<string, string>>;
      return ok.length >= 2 ? ok : undefined;
    });
    expect(rows.map((r) => r.served_model).sort()).toEqual(["sim-balanced", "sim-slow"]);
    for (const r of rows) expect(r.sticky_key).toMatch(/^conversation:compare_/);
    expect(pageErrors).toEqual([]);
  });
});
