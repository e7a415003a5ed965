/** Drives the system's Debian Chromium through playwright-core, one fresh profile per browser. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Page } from "playwright-core";

const EXECUTABLES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const SCREENSHOT_DIR = resolve("test-results/screenshots");

export interface Browser {
  page: Page;
  close: () => Promise<void>;
}

export async function openBrowser(opts: { width?: number; height?: number } = {}): Promise<Browser> {
  const executablePath = EXECUTABLES.find((p) => existsSync(p));
  if (!executablePath) throw new Error(`Chromium not found at ${EXECUTABLES.join(" or ")}`);
  const userDataDir = mkdtempSync(join(tmpdir(), "switchyard-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The server's address as the browser should use it: "localhost", not 127.0.0.1, because session
 * cookies may be Secure and browsers accept those over plain http only from localhost.
 */
export function browserUrl(serverUrl: string): string {
  return serverUrl.replace("//127.0.0.1", "//localhost");
}

/** Signs in through the sign-in page and waits until it has moved on. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  if (!new URL(page.url() === "about:blank" ? baseUrl : page.url()).pathname.startsWith("/sign-in")) await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/**
 * Saves a PNG to test-results/screenshots/<name>.png and returns its path. Full page by default;
 * a modal's backdrop only covers the viewport, so dialogs read better with `fullPage: false`.
 */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? true });
  return path;
}
