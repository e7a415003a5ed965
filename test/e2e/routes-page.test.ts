/**
 * The traffic-split settings pages in a real browser against the built server: sign in as an
 * admin, create a route from the empty state, see its live charts, edit the split with
 * validation as you type, and roll it back through the confirmation dialog.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, must } from "./accounts";

let server: TestServer;
let browser: Browser | undefined;
let apiKey: string;

async function setup(s: TestServer): Promise<string> {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  for (const name of ["steady-model", "new-model"]) {
    await must(
      await s.admin("/api/admin/models", {
        method: "POST",
        json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: { ttftMs: 2, tokensPerSecond: 5000 } },
      }),
    );
  }
  const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "browser-team" } }));
  return (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "browser-key" } }))).key as string;
}

/** Streamed requests with distinct users, so both variants get traffic and time to first token is recorded. */
async function sendTraffic(model: string, n: number): Promise<void> {
  const one = async (i: number) => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model, user: `browser-user-${i}`, stream: true, messages: [{ role: "user", content: `hello ${i}` }] }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`);
  };
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => one(i + j)));
}

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
  apiKey = await setup(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("/settings/routes in the browser", () => {
  it("signs in, creates a route, shows its charts, validates and saves the split, and rolls back", async () => {
    browser = await openBrowser();
    const { page } = browser;
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));

    // Settings send an anonymous visitor to sign in; a wrong password is refused, the right one comes back.
    const base = browserUrl(server.url);
    await page.goto(`${base}/settings/routes`);
    await page.waitForURL(/\/sign-in\?next=%2Fsettings$/);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That email and password do not match an account.").waitFor();
    await screenshot(page, "01-sign-in-refused");
    await signIn(page, base, ADMIN.email, ADMIN.password);
    // Signing in returns to /settings, which opens its first tab.
    await page.waitForURL(`${base}/settings/providers`);
    await page.goto(`${base}/settings/routes`);

    // Empty state, then the New route form: the server's error lands under the field it names.
    await page.getByTestId("routes-empty").getByText("A route is a name clients use").waitFor();
    const form = page.getByTestId("new-route-form");
    await form.getByLabel("Control model").selectOption("steady-model");
    await form.getByLabel("Candidate model").selectOption("new-model");
    await form.getByLabel("Stages").fill("50, 100");
    await form.getByLabel("Name").fill("steady-model");
    await form.getByRole("button", { name: "Create route" }).click();
    const nameError = page.getByTestId("route-name-error");
    await nameError.waitFor();
    expect(await nameError.textContent()).toContain("already a model name");
    await screenshot(page, "02-empty-and-create-error");
    await form.getByLabel("Name").fill("chat-split");
    await nameError.waitFor({ state: "detached" });
    await form.getByRole("button", { name: "Create route" }).click();
    await page.waitForURL(/\/settings\/routes\/route_[0-9a-f]+$/);
    const routeId = page.url().split("/").pop()!;
    await page.getByRole("heading", { name: "chat-split" }).waitFor();

    // Traffic, and a short evaluation interval so a decision shows up.
    await must(await server.admin(`/api/admin/routes/${routeId}`, { method: "PATCH", json: { evalIntervalSeconds: 1 } }));
    await sendTraffic("chat-split", 30);
    await server.usageRows(30);

    // The list.
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Routes" }).click();
    const row = page.getByTestId("route-row").filter({ hasText: "chat-split" });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? "";
    expect(rowText).toContain("steady-model");
    expect(rowText).toContain("new-model");
    expect(rowText).toContain("50 % / 50 %");
    expect(rowText).toContain("1 of 2");
    expect(await row.getByTestId("status-badge").textContent()).toBe("running");
    await screenshot(page, "03-routes-list");

    // The route page with its four charts, each drawing a control and a candidate line.
    await row.getByRole("link", { name: "chat-split" }).click();
    await page.waitForURL(`**/settings/routes/${routeId}`);
    await page.getByRole("heading", { name: "chat-split" }).waitFor();
    for (const chart of ["requests", "errorRate", "p95LatencyMs", "p95TtftMs"]) {
      const curves = page.locator(`[data-testid="chart-${chart}"] svg .recharts-line path.recharts-line-curve`);
      // A single bucket with data is a one-point path: present, but with no area to be "visible".
      await curves.first().waitFor({ state: "attached" });
      expect(await curves.count(), chart).toBe(2);
      for (const d of await curves.evaluateAll((paths) => paths.map((p) => p.getAttribute("d") ?? ""))) expect(d, chart).toMatch(/^M/);
    }
    expect(await page.getByTestId("split-candidate").textContent()).toBe("50 %");
    expect(await page.getByTestId("stage-progress").textContent()).toBe("Stage 1 of 2");
    await page.getByTestId("last-decision").getByText("Waiting for enough candidate requests").waitFor();
    await screenshot(page, "04-route-detail");

    // Validation as you type.
    const weight = page.getByLabel("Candidate weight", { exact: true });
    const stages = page.getByLabel("Stages", { exact: true });
    const save = page.getByRole("button", { name: "Save", exact: true });
    await weight.fill("150");
    await page.getByText("Weight must be between 0 and 100").waitFor();
    expect(await save.isDisabled()).toBe(true);
    await stages.fill("5, 50, 25");
    await page.getByText("Stages must be strictly increasing").waitFor();
    await screenshot(page, "05-invalid-input");
    await stages.fill("50, 100");

    // Save a valid weight.
    await weight.fill("20");
    await page.getByText("Weight must be between 0 and 100").waitFor({ state: "detached" });
    await save.click();
    await page.getByTestId("saved").waitFor();
    await page.getByTestId("split-candidate").filter({ hasText: /^20 %$/ }).waitFor();
    const saved = await must(await server.admin(`/api/admin/routes/${routeId}`));
    expect(saved.candidateWeight).toBe(20);
    expect(saved.stages).toEqual([50, 100]);
    expect(saved.events[0]).toMatchObject({ type: "route.updated", actor: ADMIN.email, data: { changed: { candidateWeight: 20 } } });
    await screenshot(page, "06-saved");

    // Roll back through the confirmation dialog.
    await page.getByRole("button", { name: "Roll back", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await screenshot(page, "07-rollback-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByTestId("status-badge").filter({ hasText: "rolled back" }).waitFor();
    const latest = page.getByTestId("timeline-event").first();
    await latest.getByText(`Rolled back by ${ADMIN.email}`).waitFor();
    expect(await latest.getAttribute("data-type")).toBe("route.rolled_back");
    expect(await page.getByTestId("split-candidate").textContent()).toBe("0 %");
    expect(await page.getByRole("button", { name: "Roll back", exact: true }).isDisabled()).toBe(true);
    await screenshot(page, "08-rolled-back");

    const rolled = await must(await server.admin(`/api/admin/routes/${routeId}`));
    expect(rolled.status).toBe("rolled_back");
    expect(rolled.candidateWeight).toBe(0);
    expect(rolled.events[0]).toMatchObject({ type: "route.rolled_back", actor: ADMIN.email });

    // Signing out ends the session: settings send you to sign in again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/sign-in`);
    await page.goto(`${base}/settings/routes`);
    await page.waitForURL(/\/sign-in\?next=/);

    expect(pageErrors).toEqual([]);
  }, 60_000);
});
