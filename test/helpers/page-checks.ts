/**
 * Checks a browser test runs on any page: does it fit the window (no sideways page scroll, no
 * control on top of another or off the side), and does axe-core find serious accessibility faults.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import axe from "axe-core";
import type { Page } from "playwright-core";

/** Where the page screenshots go; gitignored. */
export const PAGE_SCREENSHOT_DIR = resolve("test/e2e/screenshots");

export async function pageScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(PAGE_SCREENSHOT_DIR, { recursive: true });
  const path = join(PAGE_SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * What does not fit, in words; empty when the page is fine. Looks at the controls (links, buttons,
 * inputs, selects) and at the text of table cells and labels, each cut to what is visible through
 * the scrolling or clipping boxes around it: a table scrolling inside its card is fine, a button
 * past the window's edge or text running under a checkbox is not.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Box = { left: number; right: number; top: number; bottom: number };
    const problems: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
    const viewportWidth = document.documentElement.clientWidth;

    const boxOf = (r: DOMRect): Box => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
    const cut = (a: Box, b: Box): Box => ({ left: Math.max(a.left, b.left), right: Math.min(a.right, b.right), top: Math.max(a.top, b.top), bottom: Math.min(a.bottom, b.bottom) });
    const solid = (b: Box) => b.right - b.left > 1 && b.bottom - b.top > 1;

    /** The part of `box` that shows through every clipping ancestor from `from` up. */
    function visiblePart(from: Element | null, box: Box): Box | null {
      let out = box;
      for (let el = from; el && el !== document.body && el !== document.documentElement; el = el.parentElement) {
        const style = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        if (style.overflowX !== "visible") out = { ...out, left: Math.max(out.left, r.left), right: Math.min(out.right, r.right) };
        if (style.overflowY !== "visible") out = { ...out, top: Math.max(out.top, r.top), bottom: Math.min(out.bottom, r.bottom) };
        if (style.position === "fixed") break;
      }
      return solid(out) ? out : null;
    }

    const describe = (el: Element) => {
      const label = el.getAttribute("data-testid") ?? el.getAttribute("aria-label") ?? (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `${el.tagName.toLowerCase()}${label ? ` "${label}"` : ""}`;
    };
    const shown = (el: Element) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });

    const items: Array<{ el: Element; box: Box; what: string }> = [];
    for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
      if (!shown(el)) continue;
      const box = visiblePart(el.parentElement, boxOf(el.getBoundingClientRect()));
      if (box) items.push({ el, box, what: describe(el) });
    }
    // Text in cells and labels: each text node's box, cut by its own ancestors, joined per element.
    for (const el of document.querySelectorAll("td, th, label")) {
      if (!shown(el)) continue;
      let joined: Box | null = null;
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || !node.parentElement || !shown(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const part = visiblePart(node.parentElement, boxOf(range.getBoundingClientRect()));
        if (!part) continue;
        joined = joined
          ? { left: Math.min(joined.left, part.left), right: Math.max(joined.right, part.right), top: Math.min(joined.top, part.top), bottom: Math.max(joined.bottom, part.bottom) }
          : part;
      }
      if (joined) items.push({ el, box: joined, what: `text of ${describe(el)}` });
    }

    for (const item of items) {
      if (item.box.left < -1 || item.box.right > viewportWidth + 1) {
        problems.push(`${item.what} is outside the window: ${Math.round(item.box.left)}–${Math.round(item.box.right)} px of ${viewportWidth}`);
      }
    }
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i]!;
        const b = items[j]!;
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        const overlap = cut(a.box, b.box);
        if (overlap.right - overlap.left > 2 && overlap.bottom - overlap.top > 2) problems.push(`${a.what} overlaps ${b.what}`);
      }
    }
    return problems;
  });
}

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, " ").slice(0, 160)}]` : ""}`).join("; ")}`);
}
