import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { ApiClient } from "./client";
import { ROOT, type Stack, type StackOptions, startStack } from "./stack";

/** Debian's Chromium (.ci/run installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Screenshots of the tests, git-ignored, for people to look at. */
export const ARTIFACTS = join(ROOT, "test-artifacts");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Every alert, confirm or prompt a page opened: a script injected through data would open one. */
  dialogs: string[];
  /** Uncaught errors of the pages' scripts. */
  errors: string[];
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, one page, and a record of the dialogs it opened. */
export async function openBrowser(): Promise<BrowserSession> {
  const profile = await mkdtemp(join(tmpdir(), "cdp-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const dialogs: string[] = [];
  context.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    dialogs,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page screenshot in test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The setup of the dashboard's browser suites: a stack with one tenant, its API, and Chromium. */
export async function startDashboardSuite(
  tenant: string,
  key: string,
  options: StackOptions = {},
): Promise<{ stack: Stack; api: ApiClient; browser: BrowserSession; page: Page }> {
  const stack = await startStack(options);
  await stack.createTenant(tenant, key);
  const browser = await openBrowser();
  return { stack, api: new ApiClient(stack.url, key), browser, page: browser.page };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now
 * (colour contrast included), as "rule: element" lines: [] when there are none.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the pages' Content-Security-Policy allows.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof import("axe-core") }).axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((node) => `${v.id}: ${node.target.join(" ")} (${v.help})`));
}

/** How far the page is wider than the window: 0 when nothing scrolls sideways. */
export const horizontalOverflow = (page: Page) =>
  page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
