/**
 * The usage dashboard in a real browser against the built server: traffic from two teams to two
 * simulated models, the charts drawn from it, filters kept in the URL, and the CSV export holding
 * exactly the requests the filters show. Then the charts' drawing at a desktop's and a phone's size
 * over older days with a day of no traffic between them: straight lines broken at the empty day,
 * axis labels that fit on one line inside the chart, a long team name cut with its full name kept.
 */
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserUrl, openBrowser, screenshot, signIn, type Browser } from "../helpers/browser";
import { startServer, type TestServer } from "../helpers/server";
import { ADMIN, must } from "./accounts";

let server: TestServer;
let browser: Browser | undefined;
const teams: Array<{ id: string; name: string; key: string }> = [];

const REQUESTS_PER_TEAM = { alpha: 30, beta: 20 };
/** Embeddings requests from alpha, on top of its chat traffic. */
const EMBEDDINGS = 7;
const LONG_TEAM = "Research and Development: Applied Language Models Platform Group";

const DAY_MS = 86_400_000;
const isoDay = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
/** Older days with traffic, before the default seven-day range: 12 and 11 days ago, none 10 days ago, then 9 and 8. */
const OLD_DAYS = [12, 11, 9, 8];

/**
 * Copies of a real usage row onto older days, written straight into the server's database, since
 * the gateway stamps rows with the present. Slow ones (over a second) with one error a day, so the
 * latency axis reads in seconds and the error-rate line has a value on each of those days.
 */
function backfill(s: TestServer): void {
  const db = new Database(s.dbPath);
  db.pragma("busy_timeout = 5000");
  try {
    const template = db.prepare("select * from usage where status = 'ok' and ttft_ms is not null limit 1").get() as Record<string, unknown>;
    const { id: _id, ...columns } = template;
    const names = Object.keys(columns);
    const insert = db.prepare(`insert into usage (${names.join(", ")}) values (${names.map((n) => `@${n}`).join(", ")})`);
    db.transaction(() => {
      for (const daysAgo of OLD_DAYS) {
        const noon = Date.parse(`${isoDay(daysAgo)}T12:00:00Z`);
        for (let i = 0; i < 4; i++) {
          const failed = i === 0;
          insert.run({
            ...columns,
            request_id: `req_old_${daysAgo}_${i}`,
            created_at: noon + i * 60_000,
            status: failed ? "error" : "ok",
            http_status: failed ? 502 : 200,
            error_type: failed ? "upstream_error" : null,
            latency_ms: 1200 + daysAgo * 100 + i * 50,
            ttft_ms: 300 + daysAgo * 10,
          });
        }
      }
    })();
  } finally {
    db.close();
  }
}

async function seed(s: TestServer): Promise<void> {
  const provider = await must(await s.admin("/api/admin/providers", { method: "POST", json: { name: "sim", kind: "simulator", settings: { maxAttempts: 1 } } }));
  for (const [name, price] of [["sim-fast", 1], ["sim-smart", 8]] as const) {
    await must(
      await s.admin("/api/admin/models", {
        method: "POST",
        json: { name, providerId: provider.id, upstreamModel: name, inputPricePerMTok: price, outputPricePerMTok: price * 4, simulator: { ttftMs: 5, tokensPerSecond: 4000 } },
      }),
    );
  }
  await must(
    await s.admin("/api/admin/models", {
      method: "POST",
      json: { name: "sim-vectors", providerId: provider.id, upstreamModel: "sim-vectors", inputPricePerMTok: 0.02, outputPricePerMTok: 0, endpoints: ["embeddings"], simulator: { ttftMs: 5 } },
    }),
  );
    // A long name, which the budget chart's axis must cut rather than clip.
  await must(await s.admin("/api/admin/teams", { method: "POST", json: { name: LONG_TEAM, dailyBudgetUsd: 5 } }));
  for (const [name, daily] of [["alpha", 1], ["beta", null]] as const) {
    const team = await must(await s.admin("/api/admin/teams", { method: "POST", json: { name, dailyBudgetUsd: daily, monthlyBudgetUsd: 20 } }));
    const key = await must(await s.admin(`/api/admin/teams/${team.id}/keys`, { method: "POST", json: { name: `${name}-key` } }));
    teams.push({ id: team.id, name, key: key.key });
  }
}

/** Streamed and plain requests, alternating models, so latency and time to first token are both recorded. */
async function sendTraffic(): Promise<number> {
  const jobs: Array<() => Promise<void>> = [];
  for (const team of teams) {
    const n = REQUESTS_PER_TEAM[team.name as keyof typeof REQUESTS_PER_TEAM];
    for (let i = 0; i < n; i++) {
      jobs.push(async () => {
        const res = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${team.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: i % 3 === 0 ? "sim-smart" : "sim-fast", stream: i % 2 === 0, messages: [{ role: "user", content: `question ${i} from ${team.name}` }] }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`request answered ${res.status}`);
      });
    }
  }
  for (let i = 0; i < EMBEDDINGS; i++) {
    jobs.push(async () => {
      const res = await fetch(`${server.url}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${teams[0]!.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "sim-vectors", input: `text ${i}` }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`embeddings answered ${res.status}`);
    });
  }
  for (let i = 0; i < jobs.length; i += 10) await Promise.all(jobs.slice(i, i + 10).map((j) => j()));
  return jobs.length;
}

beforeAll(async () => {
  server = await startServer({ env: { SWITCHYARD_ADMIN_EMAIL: ADMIN.email, SWITCHYARD_ADMIN_PASSWORD: ADMIN.password } });
  await seed(server);
  const sent = await sendTraffic();
  expect((await server.usageRows(sent)).length).toBe(sent);
  backfill(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The SVG shapes recharts drew inside one chart card. */
async function drawn(page: Browser["page"], chart: string, selector: string): Promise<number> {
  const shapes = page.locator(`[data-testid="${chart}"] svg ${selector}`);
  await shapes.first().waitFor({ state: "attached" });
  return shapes.count();
}

interface TickLabel {
  chart: string;
  text: string;
  lines: number;
  inside: boolean;
}

/** Every axis label in the usage charts: its text, how many lines it was broken into, and whether it lies inside its chart. */
async function tickLabels(page: Browser["page"]): Promise<TickLabel[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<SVGTextElement>(".usage-chart .recharts-cartesian-axis-tick-label text")).map((text) => {
      const svg = text.closest("svg")!.getBoundingClientRect();
      const box = text.getBoundingClientRect();
      return {
        chart: text.closest("[data-testid]")!.getAttribute("data-testid")!,
        text: text.textContent ?? "",
        lines: text.querySelectorAll("tspan").length || 1,
        inside: box.width > 0 && box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5 && box.top >= svg.top - 0.5 && box.bottom <= svg.bottom + 0.5,
      };
    }),
  );
}

/** The `d` of each line a chart drew. */
async function linePaths(page: Browser["page"], chart: string): Promise<string[]> {
  const lines = page.locator(`[data-testid="${chart}"] svg path.recharts-line-curve`);
  await lines.first().waitFor({ state: "attached" });
  return lines.evaluateAll((els) => els.map((el) => el.getAttribute("d") ?? ""));
}

async function downloadCsv(page: Browser["page"], shape: string): Promise<Record<string, string>[]> {
  const exportBox = page.getByTestId("export");
  await exportBox.getByLabel("Rows to export").selectOption(shape);
  const [download] = await Promise.all([page.waitForEvent("download"), exportBox.getByRole("button", { name: "Export CSV" }).click()]);
  const path = await download.path();
  await exportBox.getByTestId("export-status").getByText("Saved").waitFor();
  return parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

describe("/usage in the browser", () => {
  it("draws the charts, keeps filters in the URL and exports what the filters show", async () => {
    browser = await openBrowser({ width: 1400, height: 1000 });
    const { page } = browser;
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const base = browserUrl(server.url);
    const total = REQUESTS_PER_TEAM.alpha + REQUESTS_PER_TEAM.beta + EMBEDDINGS;

    await page.goto(`${base}/usage`);
    await page.waitForURL(/\/sign-in\?next=%2Fusage$/);
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.waitForURL(`${base}/usage`);

    const totals = page.getByTestId("usage-totals");
    const filters = page.getByTestId("usage-filters");
    await totals.getByText(String(total), { exact: true }).waitFor();

    // Every chart drew something: stacked spend bars per team, request bars and the error-rate line,
    // latency lines, and a budget bar per team.
    expect(await drawn(page, "chart-spend", ".recharts-bar-rectangle path")).toBeGreaterThanOrEqual(2);
    expect(await drawn(page, "chart-traffic", ".recharts-bar-rectangle path")).toBeGreaterThanOrEqual(1);
    expect(await drawn(page, "chart-traffic", "path.recharts-line-curve")).toBe(1);
    expect(await drawn(page, "chart-latency", "path.recharts-line-curve")).toBe(4);
    expect(await drawn(page, "chart-budgets", ".recharts-bar-rectangle path")).toBeGreaterThanOrEqual(2);
    await page.getByTestId("chart-spend").getByText("alpha").waitFor();
    await page.getByTestId("top-team").getByText("alpha").waitFor();
    await page.getByTestId("top-model").getByText("sim-smart").waitFor();
    await page.getByTestId("top-key").getByText("alpha-key").waitFor();
    await screenshot(page, "usage-01-dashboard");

    // Toggles redraw by model.
    await page.getByTestId("chart-spend").getByRole("button", { name: "by model" }).click();
    await page.getByTestId("chart-spend").getByText("sim-fast").waitFor();
    await page.getByTestId("chart-latency").getByRole("button", { name: "per model" }).click();
    expect(await drawn(page, "chart-latency", ".recharts-bar-rectangle path")).toBeGreaterThanOrEqual(4);

    // Everything, raw: one row per request.
    const all = await downloadCsv(page, "raw");
    expect(all.length).toBe(total);

    // A team filter goes into the URL, survives a reload, and the export follows it.
    await filters.getByLabel("Team").selectOption({ label: "beta" });
    await page.waitForURL((url) => url.searchParams.get("team") === teams[1]!.id);
    await totals.getByText(String(REQUESTS_PER_TEAM.beta), { exact: true }).waitFor();
    await page.reload();
    await totals.getByText(String(REQUESTS_PER_TEAM.beta), { exact: true }).waitFor();
    expect(await filters.getByLabel("Team").inputValue()).toBe(teams[1]!.id);

    const beta = await downloadCsv(page, "raw");
    expect(beta.length).toBe(REQUESTS_PER_TEAM.beta);
    const grouped = await downloadCsv(page, "model");
    expect(grouped.length).toBe(2);
    await screenshot(page, "usage-02-filtered-export");

    // A model filter too: the export is the intersection.
    await filters.getByLabel("Model").selectOption("sim-smart");
    await page.waitForURL((url) => url.searchParams.get("model") === "sim-smart");
    const smartBeta = Array.from({ length: REQUESTS_PER_TEAM.beta }, (_, i) => i).filter((i) => i % 3 === 0).length;
    await totals.getByText(String(smartBeta), { exact: true }).waitFor();
    expect((await downloadCsv(page, "raw")).length).toBe(smartBeta);

    // The endpoint filter, on its own: only the embeddings requests, in the URL and the export.
    await filters.getByRole("button", { name: "Clear filters" }).click();
    await totals.getByText(String(total), { exact: true }).waitFor();
    await filters.getByLabel("Endpoint").selectOption({ label: "Embeddings" });
    await page.waitForURL((url) => url.searchParams.get("endpoint") === "embeddings");
    await totals.getByText(String(EMBEDDINGS), { exact: true }).waitFor();
    const embeddings = await downloadCsv(page, "raw");
    expect(embeddings.length).toBe(EMBEDDINGS);
    expect(new Set(embeddings.map((r) => r.endpoint))).toEqual(new Set(["embeddings"]));
    await screenshot(page, "usage-03-endpoint-filter");

    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("draws straight lines broken at a day without traffic, with axis labels that fit, at both sizes", async () => {
    const own = await openBrowser({ width: 1440, height: 900 });
    try {
      const { page } = own;
      page.setDefaultTimeout(15_000);
      const base = browserUrl(server.url);
      await signIn(page, base, ADMIN.email, ADMIN.password);
      const range = `from=${isoDay(13)}&to=${isoDay(7)}`;
      const old = OLD_DAYS.length * 4;

      for (const size of [{ name: "desktop", width: 1440, height: 900 }, { name: "phone", width: 390, height: 844 }]) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.goto(`${base}/usage?${range}`);
        await page.getByTestId("usage-totals").getByText(String(old), { exact: true }).waitFor();
        await page.getByTestId("chart-budgets").locator('[data-testid="budget-team-label"]').first().waitFor();

        // Each line is straight segments (no curve commands), broken in two at the empty day:
        // nothing is drawn where nothing happened.
        const lines = [...(await linePaths(page, "chart-traffic")), ...(await linePaths(page, "chart-latency"))];
        expect(lines.length, size.name).toBe(5);
        for (const d of lines) {
          expect(d, `${size.name}: ${d}`).not.toMatch(/[CcQqSsTtAa]/);
          expect(d.match(/M/g)?.length, `${size.name}: ${d}`).toBe(2);
        }

        // Latency over a second reads in seconds; every axis label is one line, inside its chart.
        const labels = await tickLabels(page);
        const latencyAxis = labels.filter((l) => l.chart === "chart-latency" && / s$/.test(l.text));
        expect(latencyAxis.length, JSON.stringify(labels)).toBeGreaterThan(0);
        expect(labels.filter((l) => l.chart === "chart-latency" && /\d{4} ms/.test(l.text))).toEqual([]);
        expect(labels.filter((l) => l.lines !== 1 || !l.inside), size.name).toEqual([]);

        // The long team name is cut with an ellipsis inside the chart, and its full name is the label's tooltip.
        const teamLabels = await page.getByTestId("budget-team-label").evaluateAll((els) =>
          els.map((el) => {
            const svg = el.closest("svg")!.getBoundingClientRect();
            const box = el.getBoundingClientRect();
            const shown = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("");
            return { shown, title: el.querySelector("title")?.textContent ?? null, inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5 };
          }),
        );
        const long = teamLabels.find((l) => l.title === LONG_TEAM);
        expect(long?.shown, JSON.stringify(teamLabels)).toMatch(/^Research and.*…$/);
        expect(teamLabels.filter((l) => !l.inside)).toEqual([]);
        await screenshot(page, `usage-04-charts-gap-${size.name}`);
      }
    } finally {
      await own.close();
    }
  }, 90_000);
});
