/**
 * Headless Chromium for the dashboard tests: Debian's /usr/bin/chromium driven by playwright-core,
 * a fresh profile per run, and a guard that records what a user would call broken: console errors,
 * uncaught exceptions, failed requests and error answers the test did not expect.
 */
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(import.meta.dirname, "..", "screenshots");
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function launchBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "farebox-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** What went wrong in a page; `expected` lists answer statuses for paths the test provoked on purpose. */
export interface PageProblems {
  problems: string[];
  expect(pathPart: string, status: number): void;
}

export function guardPage(page: Page): PageProblems {
  const problems: string[] = [];
  const expected: { pathPart: string; status: number }[] = [];
  page.on("console", (message) => {
    // Chromium logs every 4xx/5xx answer as "Failed to load resource"; answers are judged below
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("requestfailed", (request) => {
    // a navigation away cancels what was in flight: not a failure a user sees
    if (request.failure()?.errorText === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    const url = response.url();
    if (expected.some((e) => url.includes(e.pathPart) && e.status === response.status())) return;
    problems.push(`unexpected ${response.status()} from ${response.request().method()} ${url}`);
  });
  return { problems, expect: (pathPart, status) => expected.push({ pathPart, status }) };
}

/** Fails when a chart on the page drew nothing. */
export async function emptyCharts(page: Page): Promise<string[]> {
  return page.$$eval("[data-chart]", (charts) => charts.filter((c) => Number(c.getAttribute("data-points")) === 0).map((c) => c.getAttribute("data-chart") ?? "?"));
}

/**
 * How many pixels of the first chart's canvas have about the colour `cssColor` (an `rgb(r, g, b)`
 * string): the axes' labels are drawn in the page's text colour, so this tells which theme drew them.
 */
export async function chartPixelsOfColor(page: Page, cssColor: string): Promise<number> {
  return page.$eval(
    "[data-chart] canvas",
    (canvas, color) => {
      const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number) as [number, number, number];
      const context = (canvas as HTMLCanvasElement).getContext("2d")!;
      const pixels = context.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height).data;
      let matches = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3]! > 240 && Math.abs(pixels[i]! - r) + Math.abs(pixels[i + 1]! - g) + Math.abs(pixels[i + 2]! - b) < 12) matches++;
      }
      return matches;
    },
    cssColor,
  );
}

/** Screenshots the current page at desktop and phone width into test/web/screenshots. */
export async function captureBothWidths(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [label, size] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}
