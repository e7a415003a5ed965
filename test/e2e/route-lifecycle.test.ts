/**
 * A route's whole life on its page in a real browser against the built server: promote, see the
 * charts keep the old control's history under its own model, start a new candidate, roll it back,
 * start it again, change the control and delete the route through its confirmation dialog.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, must } from "./accounts";

let server: TestServer;
let browser: Browser | undefined;
let apiKey: string;
let sent = 0;

async function setup(s: TestServer): Promise<string> {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  for (const name of ["steady-model", "new-model", "third-model"]) {
    await must(
      await s.admin("/api/admin/models", {
        method: "POST",
        json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: 1, outputPricePerMTok: 2, simulator: { ttftMs: 2, tokensPerSecond: 5000 } },
      }),
    );
  }
  const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: "lifecycle-team" } }));
  return (await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: "lifecycle-key" } }))).key as string;
}

/** Streamed requests with distinct users so both variants get traffic; waits until their usage rows are written. */
async function sendTraffic(model: string, n: number): Promise<void> {
  const one = async (i: number) => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model, user: `life-user-${sent + i}`, stream: true, messages: [{ role: "user", content: `hello ${i}` }] }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`request ${i} answered ${res.status}`);
  };
  for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, j) => one(i + j)));
  sent += n;
  await server.usageRows(sent, 30_000);
}

const tickTexts = (page: Page, chart: string, axis: "xAxis" | "yAxis") =>
  // Tick labels are drawn in their own layer, outside the axis group.
  page.locator(`[data-testid="chart-${chart}"] .recharts-${axis}-tick-labels .recharts-cartesian-axis-tick-value`).allTextContents();

/** The y tick labels as numbers ("1,000" → 1000, "4 %" → 4, "1.5 s" → 1500). */
const asNumbers = (labels: string[]) =>
  labels.map((l) => {
    const n = Number(l.replace(/ms$|s$|[,\s%]/g, ""));
    return / s$/.test(l) ? n * 1000 : n;
  });

async function confirm(page: Page, button: string, confirmLabel = "Confirm") {
  await page.getByRole("button", { name: button, exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: confirmLabel, exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
}

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
  apiKey = await setup(server);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a route's lifecycle on its page", () => {
  it("promotes, keeps chart history per model, starts a new candidate, rolls back, changes the control and deletes", async () => {
    // No auto-advance: only the person at the page moves this route.
    const route = await must(
      await server.admin("/api/admin/routes", { method: "POST", json: { name: "life-split", control: "steady-model", candidate: "new-model", stages: [50, 100], autoAdvance: false } }),
    );
    await sendTraffic("life-split", 20);

    browser = await openBrowser();
    const { page } = browser;
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const base = browserUrl(server.url);
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.goto(`${base}/settings/routes/${route.id}`);
    await page.getByRole("heading", { name: "life-split" }).waitFor();
    const decision = page.getByTestId("last-decision");
    const series = page.getByTestId("chart-series");

    // Promote: the decision panel says what happened and when, not "waiting".
    await confirm(page, "Promote");
    await page.getByTestId("status-badge").filter({ hasText: "promoted" }).waitFor();
    await decision.getByText(`Promoted by ${ADMIN.email}`).waitFor();
    expect(await decision.getAttribute("data-state")).toBe("ended");
    const promotedText = (await decision.textContent()) ?? "";
    expect(promotedText).toContain("new-model now serves all traffic instead of steady-model");
    expect(promotedText).not.toContain("Waiting for enough candidate requests");
    expect(await decision.locator("time").count()).toBe(1);

    // After the promotion new-model serves as control; the old lines keep their own models.
    await sendTraffic("life-split", 10);
    await series.filter({ hasText: "control · steady-model (earlier)" }).waitFor();
    await series.filter({ hasText: "candidate · new-model (earlier)" }).waitFor();
    await series.filter({ hasText: /^\s*control · new-model$/ }).waitFor();
    expect(await series.count()).toBe(3);
    const curves = page.locator('[data-testid="chart-requests"] svg .recharts-line path.recharts-line-curve');
    await expect.poll(() => curves.count(), { timeout: 20_000 }).toBe(3);
    await screenshot(page, "lifecycle-01-promoted");

    // Axis ticks a person reads: y values evenly spaced from 0, no x label twice, whole steps matched to the window.
    const minutesOf = (label: string) => Number(label.slice(0, 2)) * 60 + Number(label.slice(3, 5));
    const STEP: Record<string, number> = { "5": 1, "30": 5, "180": 30, "1440": 240 };
    for (const window of ["5", "30", "180", "1440"]) {
      await page.getByLabel("Chart window").selectOption(window);
      for (const chart of ["requests", "errorRate", "p95LatencyMs"]) {
        // The axis draws after the data arrives; wait until it shows this window's ticks.
        await expect
          .poll(
            async () => {
              const x = await tickTexts(page, chart, "xAxis");
              const steps = new Set(x.slice(1).map((l, i) => (minutesOf(l) - minutesOf(x[i]!) + 1440) % 1440));
              return { enough: x.length >= 3, distinct: new Set(x).size === x.length, steps: [...steps] };
            },
            { timeout: 20_000, message: `${chart} x ticks in the ${window} min window` },
          )
          .toEqual({ enough: true, distinct: true, steps: [STEP[window]] });
        const y = asNumbers(await tickTexts(page, chart, "yAxis"));
        expect(y[0], `${chart} y from 0`).toBe(0);
        const gaps = y.slice(1).map((v, i) => Number((v - y[i]!).toFixed(6)));
        expect(new Set(gaps).size, `${chart} ${window} min y ticks ${y.join(" ")}`).toBe(1);
      }
    }
    await page.getByLabel("Chart window").selectOption("30");

    // Start a new candidate from the page.
    const start = page.getByTestId("start-candidate");
    await start.getByLabel("Candidate model").selectOption("third-model");
    await start.getByLabel("Starting weight").fill("25");
    await start.getByRole("button", { name: "Start candidate" }).click();
    await page.getByTestId("status-badge").filter({ hasText: "running" }).waitFor();
    await page.getByTestId("split-candidate").filter({ hasText: /^25 %$/ }).waitFor();
    await start.waitFor({ state: "detached" });
    expect(await decision.getAttribute("data-state")).toBe("not_judged");
    expect(await page.getByLabel("Candidate weight", { exact: true }).isDisabled()).toBe(false);
    let saved = await must(await server.admin(`/api/admin/routes/${route.id}`));
    expect(saved).toMatchObject({ status: "running", control: "new-model", candidate: "third-model", candidateWeight: 25 });

    // Roll it back, then give the same candidate another go.
    await confirm(page, "Roll back");
    await page.getByTestId("status-badge").filter({ hasText: "rolled back" }).waitFor();
    await decision.getByText(`Rolled back by ${ADMIN.email}`).waitFor();
    await start.getByLabel("Candidate model").selectOption("third-model");
    await start.getByLabel("Starting weight").fill("10");
    await start.getByRole("button", { name: "Start candidate" }).click();
    await page.getByTestId("split-candidate").filter({ hasText: /^10 %$/ }).waitFor();
    await page.getByTestId("status-badge").filter({ hasText: "running" }).waitFor();
    await screenshot(page, "lifecycle-02-new-candidate");

    // Change the control.
    const control = page.getByTestId("change-control");
    await control.getByLabel("Control model").selectOption("steady-model");
    await control.getByRole("button", { name: "Change control" }).click();
    await page.getByTestId("control-saved").waitFor();
    await page.getByTestId("split-bar").getByText("steady-model").waitFor();
    saved = await must(await server.admin(`/api/admin/routes/${route.id}`));
    expect(saved).toMatchObject({ status: "running", control: "steady-model", candidate: "third-model", candidateWeight: 10 });

    // Delete: cancelling keeps the route, confirming removes it and returns to the list.
    await page.getByRole("button", { name: "Delete route", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("life-split stops working at once").waitFor();
    await screenshot(page, "lifecycle-03-delete-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await server.admin(`/api/admin/routes/${route.id}`)).status).toBe(200);
    await confirm(page, "Delete route", "Delete route");
    await page.waitForURL(`${base}/settings/routes`);
    expect((await server.admin(`/api/admin/routes/${route.id}`)).status).toBe(404);
    await page.getByText("life-split").waitFor({ state: "detached" });

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
