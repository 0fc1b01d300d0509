import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowser, screenshot } from "../support/browser";
import { ApiClient } from "../support/client";
import { VELOCIDI_HEADER, velocidiFile, velocidiRow } from "../support/files";
import { type Stack, startStack } from "../support/stack";

const KEY = "key_acme";
const RUN_TIMEOUT = 90_000;
const SCRIPT = "<img src=x onerror=alert(1)>";

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("acme", KEY);
  api = new ApiClient(stack.url, KEY);
  browser = await openBrowser();
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const at = (path: string) => new URL(path, stack.url).toString();

/** Orders of 1–3 line items; order 4's total is "12,5" (one issue, on line 8). */
const ordersFile = (prefix: string) =>
  velocidiFile(15, { bad: new Set([4]) }).replace(/^or(\d+),/gm, `${prefix}$1,`);

/** The row of an import in the list, by its name. */
const importRow = (name: string) =>
  page.locator("tbody tr").filter({ has: page.getByText(name, { exact: true }) });

/** Waits on the run page (it polls, then reloads) until the run has ended; returns its status. */
async function waitForRunEnd(): Promise<string> {
  const status = page.locator('[data-field="status"] .badge');
  await page.locator('#run-live[data-finished="true"]').waitFor({ timeout: RUN_TIMEOUT });
  return (await status.textContent()) ?? "";
}

async function stat(name: string): Promise<string | null> {
  return page.locator(`[data-stat="${name}"]`).textContent();
}

describe("the dashboard in Chromium", () => {
  it("signs in with an API key, after refusing a wrong one with the API's message", async () => {
    await page.goto(at("/"));
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByLabel("API key").fill("key_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#api-key-error").textContent()).toBe("The API key was refused.");

    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Data Imports", level: 1 }).waitFor();
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === "cdp_session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });
    expect(session?.value).not.toContain(KEY);
    await expect
      .poll(() => page.getByRole("navigation", { name: "Main" }).textContent())
      .toMatch(/Collect.*Data Imports/);
  });

  it("creates an orders import through the wizard with an uploaded file; the preview shows its items", async () => {
    await page.goto(at("/"));
    await page.getByRole("link", { name: "New Import" }).click();
    await page.getByRole("heading", { name: /Type/, level: 2 }).waitFor();

    // Step 1 from the keyboard: type the name, pick the type with the arrow keys, Enter for Next.
    await page.getByLabel("Name", { exact: true }).fill("Web shop orders");
    await page.getByLabel(/^Orders/).focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("Enter");

    await page.getByRole("heading", { name: /Format/, level: 2 }).waitFor();
    // Only the formats of orders are offered.
    await expect
      .poll(() =>
        page
          .locator('input[name="format"]:not([disabled])')
          .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value)),
      )
      .toEqual(["velocidi_csv", "shopify_csv"]);
    await page.getByLabel("Velocidi CSV").check();
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByRole("heading", { name: /Source/, level: 2 }).waitFor();
    await page.getByLabel("Uploaded file").check();
    // Next without a file: the problem is shown next to the file field.
    await page.getByRole("button", { name: "Next" }).click();
    await expect
      .poll(() => page.locator("#upload-file-error").textContent())
      .toBe("Choose a file to upload.");
    const file = ordersFile("web");
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await expect
      .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
      .toMatch(/^Uploaded orders\.csv · \d+(\.\d)? KB$/);
    const bar = await page.locator("#upload-progress").evaluate((p: HTMLProgressElement) => [p.value, p.max]);
    expect(bar).toEqual([Buffer.byteLength(file), Buffer.byteLength(file)]);
    await expect.poll(() => page.locator("#upload-file-error").isHidden()).toBe(true);
    await screenshot(page, "wizard-source");
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByRole("heading", { name: /Options/, level: 2 }).waitFor();
    await page.getByLabel("Hash user ids").check();
    await page.getByRole("button", { name: "Next" }).click();

    // A transformation is checked as it is typed: a bad timestamp pattern is flagged at once.
    await page.getByRole("heading", { name: /Transformations/, level: 2 }).waitFor();
    await page.getByLabel("New transformation").selectOption("copy");
    await page.getByRole("button", { name: "Add transformation" }).click();
    await page.locator("#t0-from").fill("createdAt");
    await page.locator("#t0-to").fill("orderedAt");
    await page.locator("#t0-step-type").selectOption("timestamp");
    await page.getByRole("button", { name: "Add value step" }).click();
    await page.getByLabel("Pattern").fill("yyyy-QQ");
    await expect.poll(() => page.locator("#t0-v0-pattern-error").textContent()).toMatch(/Q/);
    await screenshot(page, "wizard-transformations");
    await page.getByRole("button", { name: "Remove transformation 1" }).click();
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByRole("heading", { name: /Preview/, level: 2 }).waitFor();
    await page.getByRole("heading", { name: "Items (14)" }).waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Issues (1)" }).waitFor();
    const firstItem = page.locator("#preview table").first().locator("tbody tr").first();
    expect(await firstItem.textContent()).toContain("web1");
    expect(await page.locator("#preview table").nth(1).locator("tbody tr").first().textContent()).toMatch(
      /8.*web4.*total.*"total" must be a number.*12,5/,
    );
    await screenshot(page, "wizard-preview");
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByRole("heading", { name: /Schedule/, level: 2 }).waitFor();
    await page.getByRole("button", { name: "Save import" }).click();
    await page.getByRole("heading", { name: "Data Imports", level: 1 }).waitFor();
    await page.getByText("Import “Web shop orders” saved.").waitFor();
    const row = importRow("Web shop orders");
    expect((await row.textContent())?.replace(/\s+/g, " ")).toMatch(
      /Orders.*Velocidi CSV.*Uploaded file.*None.*Never run/,
    );
    await screenshot(page, "imports-list");
  });

  it("runs it and shows Completed with the right counts", async () => {
    await page.goto(at("/"));
    await importRow("Web shop orders").getByRole("button", { name: "Run Web shop orders now" }).click();
    await page.getByRole("heading", { name: /^Run of Web shop orders/ }).waitFor();
    expect(await waitForRunEnd()).toBe("Completed");
    expect(await stat("added")).toBe("14");
    expect(await stat("updated")).toBe("0");
    expect(await stat("unchanged")).toBe("0");
    expect(await stat("itemsInvalid")).toBe("1");
    expect(await stat("itemsRead")).toBe("15");
    expect(await page.locator('[data-field="duration"]').textContent()).toMatch(/^\d+ (ms|s)$/);
    await screenshot(page, "run-completed");
  });

  it("opens the issues of a file with bad rows and downloads them as CSV", async () => {
    const rows = page.locator("table.issues tbody tr");
    await page.getByRole("heading", { name: "Issues (1)" }).waitFor();
    expect(await rows.count()).toBe(1);
    const cells = await rows.first().locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["8", "web4", "total"]);
    expect(cells[3]).toMatch(/^"total" must be a number/);
    expect(cells[4]).toBe("12,5");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^run_.*-issues\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe("row,item,field,code,severity,message,value");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^8,web4,total,invalid_number,error,.*,"12,5"$/);
  });

  it("does a dry run, then Clone and import starts the real run", async () => {
    const key = await api.upload("dry.csv", ordersFile("dry"));
    await api.createImport({
      name: "Dry first",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await page.goto(at("/"));
    await importRow("Dry first").getByRole("button", { name: "Dry run of Dry first" }).click();
    await page.getByRole("heading", { name: "This is a dry run" }).waitFor();
    expect(await waitForRunEnd()).toBe("Completed");
    expect(await stat("added")).toBe("14");
    await screenshot(page, "run-dry");
    const dryRunUrl = page.url();
    // Nothing was written by the dry run.
    expect((await api.call("GET", "/v1/orders/dry1")).status).toBe(404);

    await page.getByRole("button", { name: "Clone and import" }).click();
    await page.waitForURL((url) => url.toString() !== dryRunUrl);
    await page.getByRole("heading", { name: /^Run of Dry first/ }).waitFor();
    expect(await page.getByRole("heading", { name: "This is a dry run" }).count()).toBe(0);
    expect(await waitForRunEnd()).toBe("Completed");
    expect(await stat("added")).toBe("14");
    expect(await stat("itemsInvalid")).toBe("1");
    expect((await api.call("GET", "/v1/orders/dry1")).status).toBe(200);
  });

  it("uploads a file larger than one part in parts, with one progress bar", async () => {
    await page.goto(at("/"));
    await page.getByRole("link", { name: "New Import" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Large orders");
    await page.getByLabel(/^Orders/).check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Velocidi CSV").check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Uploaded file").check();
    // Parts of 5 MiB instead of 64 MiB, so that a 21 MB file needs five.
    await page.locator("#upload-file").evaluate((input: HTMLInputElement) => {
      input.dataset.partBytes = String(5 * 1024 * 1024);
    });
    const note = "n".repeat(700_000);
    const [header, ...rows] = ordersFile("large").trimEnd().split("\n");
    const file = `${header},note\n${rows.map((row) => `${row},${note}`).join("\n")}\n`;
    const sent: string[] = [];
    const listen = (request: { method(): string; url(): string }) => {
      if (new URL(request.url()).pathname.startsWith("/uploads/")) sent.push(request.method());
    };
    page.on("request", listen);
    const completed = page.waitForResponse(
      (res) => res.request().method() === "POST" && res.url().includes("uploadId="),
    );
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles({ name: "large.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
    await expect
      .poll(() => page.locator("#upload-status").textContent(), { timeout: 60_000 })
      .toMatch(/^Uploaded large\.csv · \d+(\.\d)? MB$/);
    page.off("request", listen);
    const parts = Math.ceil(Buffer.byteLength(file) / (5 * 1024 * 1024));
    expect(parts).toBeGreaterThan(2);
    expect(sent).toEqual(["POST", ...Array(parts).fill("PUT"), "POST"]);
    const { key, size } = (await (await completed).json()) as { key: string; size: number };
    expect(size).toBe(Buffer.byteLength(file));
    const bar = await page.locator("#upload-progress").evaluate((p: HTMLProgressElement) => [p.value, p.max]);
    expect(bar).toEqual([size, size]);

    const importId = await api.createImport({
      name: "Large orders (API)",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    const run = await api.run(importId, {}, RUN_TIMEOUT);
    expect(run.progress.bytesTotal).toBe(size);
    expect(run.stats).toMatchObject({ itemsValid: 14, added: 14 });
  });

  it(`shows a value ${SCRIPT} from a file as text, and no script runs`, async () => {
    const file = [
      VELOCIDI_HEADER,
      velocidiRow({ id: "xss1", email: "a@example.com", name: `"${SCRIPT}"` }, 1),
      velocidiRow({ id: "xss2", email: "b@example.com", total: SCRIPT }, 1),
    ].join("\n");
    const key = await api.upload("xss.csv", `${file}\n`);
    await api.createImport({
      name: SCRIPT,
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });

    await page.goto(at("/"));
    expect(await importRow(SCRIPT).locator(".import-name").textContent()).toBe(SCRIPT);
    await importRow(SCRIPT)
      .getByRole("button", { name: `Run ${SCRIPT} now` })
      .click();
    expect(await waitForRunEnd()).toBe("Completed");
    const value = page.locator("table.issues tbody tr").first().locator("td").nth(4);
    expect(await value.textContent()).toBe(SCRIPT);

    // The wizard's preview of the same import shows the line item's name as text too.
    await page.goto(at("/"));
    await importRow(SCRIPT)
      .getByRole("link", { name: `Edit ${SCRIPT}` })
      .click();
    // The wizard's script fills the form from the stored import once the page has loaded.
    await expect.poll(() => page.locator("#name").inputValue()).toBe(SCRIPT);
    expect(browser.errors).toEqual([]);
    for (const step of ["Format", "Source", "Options", "Transformations", "Preview"]) {
      await page.getByRole("button", { name: "Next" }).click();
      await page.getByRole("heading", { name: new RegExp(step), level: 2 }).waitFor();
    }
    await page.getByRole("heading", { name: "Items (1)" }).waitFor({ timeout: 30_000 });
    await page.locator("#preview details summary").first().click();
    expect(await page.locator("#preview pre").first().textContent()).toContain(SCRIPT);
    expect(await page.locator("#preview table").nth(1).locator("tbody tr td").nth(4).textContent()).toBe(
      SCRIPT,
    );

    expect(await page.locator("main img").count()).toBe(0);
    expect(browser.dialogs).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it("lays out the list and the wizard for a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(at("/"));
    await screenshot(page, "imports-list-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto(at("/imports/new"));
    await screenshot(page, "wizard-phone");
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
