import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibilityViolations,
  type BrowserSession,
  horizontalOverflow,
  screenshot,
  startDashboardSuite,
} from "../support/browser";
import type { ApiClient } from "../support/client";
import { type FileServer, serveFiles } from "../support/file-server";
import { VELOCIDI_HEADER, velocidiFile, velocidiRow } from "../support/files";
import type { Stack } from "../support/stack";

const KEY = "key_acme";
const RUN_TIMEOUT = 90_000;
const SCRIPT = "<img src=x onerror=alert(1)>";

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  ({ stack, api, browser, page } = await startDashboardSuite("acme", KEY));
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

/** Opens the menu of more actions of an import's row in the list. */
async function openMenu(name: string): Promise<void> {
  await importRow(name).locator("details.menu > summary").click();
}

/** Waits on the run page (it polls, then reloads) until the run has ended; returns its status. */
async function waitForRunEnd(): Promise<string> {
  const status = page.locator('[data-field="status"] .badge-label');
  await page.locator('#run-live[data-finished="true"]').waitFor({ timeout: RUN_TIMEOUT });
  return (await status.textContent()) ?? "";
}

async function stat(name: string): Promise<string | null> {
  return page.locator(`[data-stat="${name}"]`).textContent();
}

/** Signs in through the form if the dashboard asks (a test run on its own starts signed out). */
async function signInIfAsked(): Promise<void> {
  await page.goto(at("/"));
  if (new URL(page.url()).pathname !== "/sign-in") return;
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Data Imports", level: 1 }).waitFor();
}

/** Opens a stored import in the wizard, on its Source step. */
async function editSource(importId: string): Promise<void> {
  await page.goto(at(`/imports/${importId}/edit`));
  await expect.poll(() => page.locator("#name").inputValue()).not.toBe("");
  for (const step of ["Format", "Source"]) {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: new RegExp(step), level: 2 }).waitFor();
  }
}

/**
 * From the Source step through the others to Save; waits for the import's page to say it was
 * saved. `fileToCome`: the source has no file yet, so Save needs Save anyway.
 */
async function saveFromSource(
  name: string,
  options: { onPreview?: () => Promise<void>; fileToCome?: boolean } = {},
): Promise<void> {
  for (const step of ["Mapping", "Options", "Transformations", "Preview", "Schedule"]) {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: new RegExp(step), level: 2 }).waitFor();
    if (step !== "Preview") continue;
    await options.onPreview?.();
    // The preview's table, arriving, moves Next down the page.
    await page.locator('#preview:not([aria-busy="true"])').waitFor();
  }
  await page.getByRole("button", { name: "Save import" }).click();
  if (options.fileToCome) await page.getByRole("button", { name: "Save anyway" }).click();
  await page.getByText(`Import “${name}” saved.`).waitFor();
}

const storedSource = async (importId: string) =>
  (await api.call<{ source: Record<string, unknown> }>("GET", `/v1/imports/${importId}`)).body.source;

/** A file server that answers the orders file only to requests with these headers, else 401. */
function serveOrdersWith(headers: Record<string, string>, prefix: string): Promise<FileServer> {
  const file = ordersFile(prefix);
  return serveFiles(new Map(), {
    intercept: (req: IncomingMessage, res: ServerResponse) => {
      const refused = Object.entries(headers).some(
        ([name, value]) => req.headers[name.toLowerCase()] !== value,
      );
      if (refused) res.writeHead(401).end("who are you?");
      else res.writeHead(200, { "content-type": "text/csv" }).end(file);
      return true;
    },
  });
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
    // Next is enabled once the wizard's script runs.
    await expect.poll(() => page.locator("#wizard-next").isEnabled(), { timeout: 10_000 }).toBe(true);

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

    // The file has the format's own column names: each column is its field, nothing to rename.
    await page.getByRole("heading", { name: /Mapping/, level: 2 }).waitFor();
    await expect
      .poll(() => page.getByLabel("Field for the column orderId", { exact: true }).inputValue(), {
        timeout: 30_000,
      })
      .toBe("=orderId");
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
    // Saved, the import's own page.
    await page.getByRole("heading", { name: "Web shop orders", level: 1 }).waitFor();
    await page.getByText("Import “Web shop orders” saved.").waitFor();
    await page.goto(at("/"));
    const row = importRow("Web shop orders");
    expect((await row.textContent())?.replace(/\s+/g, " ")).toMatch(
      /Orders.*Velocidi CSV · Uploaded file.*None.*Never run/,
    );
    await screenshot(page, "imports-list");
  });

  it("runs it and shows Completed with the right counts", async () => {
    await page.goto(at("/"));
    await importRow("Web shop orders").getByRole("button", { name: "Run now: Web shop orders" }).click();
    await page.getByRole("heading", { name: /^Run of Web shop orders/ }).waitFor();
    expect(await waitForRunEnd()).toBe("Completed with 1 invalid item");
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
    await page.getByText("1 error in 1 invalid item").waitFor();
    expect(await rows.count()).toBe(1);
    const cells = await rows.first().locator("td").allTextContents();
    expect(cells.slice(0, 4)).toEqual(["8", "web4", "total", "invalid_number"]);
    expect(cells[4]).toMatch(/^"total" must be a number/);
    expect(cells[5]).toBe("12,5");

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
    await openMenu("Dry first");
    await importRow("Dry first").getByRole("button", { name: "Dry run of Dry first" }).click();
    await page.getByRole("heading", { name: "This is a dry run" }).waitFor();
    expect(await waitForRunEnd()).toBe("Completed with 1 invalid item");
    expect(await stat("added")).toBe("14");
    await screenshot(page, "run-dry");
    const dryRunUrl = page.url();
    // Nothing was written by the dry run.
    expect((await api.call("GET", "/v1/orders/dry1")).status).toBe(404);

    await page.getByRole("button", { name: "Clone and import" }).click();
    await page.waitForURL((url) => url.toString() !== dryRunUrl);
    await page.getByRole("heading", { name: /^Run of Dry first/ }).waitFor();
    expect(await page.getByRole("heading", { name: "This is a dry run" }).count()).toBe(0);
    expect(await waitForRunEnd()).toBe("Completed with 1 invalid item");
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
    await signInIfAsked();
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
      .getByRole("button", { name: `Run now: ${SCRIPT}` })
      .click();
    expect(await waitForRunEnd()).toBe("Completed with 1 invalid item");
    const value = page.locator("table.issues tbody tr").first().locator("td").nth(5);
    expect(await value.textContent()).toBe(SCRIPT);

    // The wizard's preview of the same import shows the line item's name as text too.
    await page.goto(at("/"));
    await openMenu(SCRIPT);
    await importRow(SCRIPT)
      .getByRole("link", { name: `Edit ${SCRIPT}` })
      .click();
    // The wizard's script fills the form from the stored import once the page has loaded.
    await expect.poll(() => page.locator("#name").inputValue()).toBe(SCRIPT);
    expect(browser.errors).toEqual([]);
    for (const step of ["Format", "Source", "Mapping", "Options", "Transformations", "Preview"]) {
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

  it("keeps every stored header of a URL import that is edited, and previews it with them", async () => {
    await signInIfAsked();
    const headers = { authorization: "Bearer lower-case", "X-Api-Key": "key-123" };
    const server = await serveOrdersWith(headers, "hdr");
    try {
      const id = await api.createImport({
        name: "Orders with headers",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: `${server.url}/orders.csv`, headers },
      });
      await editSource(id);
      expect(await page.locator("#source-other-headers-names").textContent()).toBe(
        "Also sends: X-Api-Key (stored)",
      );
      expect(await page.getByLabel("Authorization header (optional)").getAttribute("placeholder")).toBe(
        "Unchanged: leave empty to keep",
      );
      expect(await page.locator("#source-authorization-moved").isHidden()).toBe(true);
      await page.getByLabel("URL of the file").fill(`${server.url}/orders.csv?edited=1`);
      await saveFromSource("Orders with headers", {
        // The preview of the stored import reads the source with its stored headers.
        onPreview: () => page.getByRole("heading", { name: "Items (14)" }).waitFor({ timeout: 30_000 }),
      });
      expect(await storedSource(id)).toEqual({
        type: "url",
        url: `${server.url}/orders.csv?edited=1`,
        headers: { authorization: "***", "X-Api-Key": "***" },
      });
      const run = await api.run(id, {}, RUN_TIMEOUT);
      expect(run.error).toBeNull();
      expect(run.stats).toMatchObject({ itemsValid: 14, added: 14 });
    } finally {
      await server.close();
    }
  });

  it("does not send a stored secret to another server: the field says so, and empty leaves it out", async () => {
    await signInIfAsked();
    const before = await serveOrdersWith({ Authorization: "Bearer old" }, "old");
    const after = await serveOrdersWith({}, "moved");
    try {
      const id = await api.createImport({
        name: "Orders that moved",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: `${before.url}/orders.csv`, headers: { Authorization: "Bearer old" } },
      });
      await editSource(id);
      const note = page.locator("#source-authorization-moved");
      expect(await note.isHidden()).toBe(true);
      await page.getByLabel("URL of the file").fill(`${after.url}/orders.csv`);
      await expect.poll(() => note.isVisible()).toBe(true);
      expect(await note.textContent()).toMatch(
        /^The stored Authorization header is not sent to another server: type it again/,
      );
      expect(
        await page.getByLabel("Authorization header (optional)").getAttribute("aria-describedby"),
      ).toContain("source-authorization-moved");
      // Back to the same server, the stored header is kept again.
      await page.getByLabel("URL of the file").fill(`${before.url}/other.csv`);
      await expect.poll(() => note.isHidden()).toBe(true);
      await page.getByLabel("URL of the file").fill(`${after.url}/orders.csv`);
      await saveFromSource("Orders that moved");
      expect(await storedSource(id)).toEqual({ type: "url", url: `${after.url}/orders.csv` });
      const run = await api.run(id, {}, RUN_TIMEOUT);
      expect(run.stats).toMatchObject({ itemsValid: 14, added: 14 });
    } finally {
      await before.close();
      await after.close();
    }
  });

  it("keeps an SFTP import's host key for the same server only", async () => {
    await signInIfAsked();
    const hostKeySha256 = "SHA256:the-old-servers-key";
    const id = await api.createImport({
      name: "Orders by SFTP",
      type: "orders",
      format: "velocidi_csv",
      source: {
        type: "sftp",
        host: "127.0.0.1",
        port: 2222,
        username: "exports",
        password: "first-password",
        path: "/orders.csv",
        hostKeySha256,
      },
    });
    // Another file on the same server: the password and the host key stay.
    await editSource(id);
    await page.getByLabel("Path of the file").fill("/orders-2.csv");
    // No SFTP server listens here: the file is one to come.
    await saveFromSource("Orders by SFTP", { fileToCome: true });
    expect(await storedSource(id)).toMatchObject({ path: "/orders-2.csv", password: "***", hostKeySha256 });

    // Another port is another server: its key is not the old one, and the password is asked for.
    await editSource(id);
    await page.getByLabel("Port (optional)").fill("2223");
    const note = page.locator("#sftp-password-moved");
    await expect.poll(() => note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/^The stored password is not sent to another server/);
    await page.getByLabel("Password").fill("second-password");
    await expect.poll(() => note.isHidden()).toBe(true);
    await saveFromSource("Orders by SFTP", { fileToCome: true });
    const source = await storedSource(id);
    expect(source).toMatchObject({ host: "127.0.0.1", port: 2223, password: "***" });
    expect(source).not.toHaveProperty("hostKeySha256");
  });

  it("starts one run for a double click on Run now", async () => {
    await signInIfAsked();
    const key = await api.upload("twice.csv", ordersFile("twice"));
    const id = await api.createImport({
      name: "Clicked twice",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await page.goto(at("/"));
    // A slow answer, as over a real network: the second click comes while the first is on its way.
    const runsPath = `/imports/${id}/runs`;
    await page.route(`**${runsPath}`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await route.continue().catch(() => {});
    });
    const posts: string[] = [];
    const listen = (request: { method(): string; url(): string }) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === runsPath)
        posts.push(request.url());
    };
    page.on("request", listen);
    try {
      const box = await importRow("Clicked twice")
        .getByRole("button", { name: "Run now: Clicked twice" })
        .boundingBox();
      if (!box) throw new Error("no Run now button");
      // Two clicks of the mouse, the second while the first run's request is on its way.
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.getByRole("heading", { name: /^Run of Clicked twice/ }).waitFor();
      expect(await waitForRunEnd()).toBe("Completed with 1 invalid item");
    } finally {
      page.off("request", listen);
      await page.unroute(`**${runsPath}`);
    }
    expect(posts).toHaveLength(1);
    const runs = await api.call<{ items: unknown[] }>("GET", `/v1/imports/${id}/runs`);
    expect(runs.body.items).toHaveLength(1);
  });

  it("stops following a run that is gone or signed out, and asks a failing dashboard less and less often", async () => {
    await signInIfAsked();
    // A source that never answers keeps the run going while the page polls.
    const held: ServerResponse[] = [];
    const server = await serveFiles(new Map(), {
      intercept: (_req, res) => {
        held.push(res);
        return true;
      },
    });
    let answer = 404;
    let asked = 0;
    /** When each request reached the test (ms): the page waits between them. */
    const askedAt: number[] = [];
    await page.route("**/runs/*/status.json", (route) => {
      asked++;
      askedAt.push(performance.now());
      return route.fulfill({
        status: answer,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "x", message: "x" } }),
      });
    });
    const message = page.locator("#run-poll-message");
    try {
      const id = await api.createImport({
        name: "Never ending",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: `${server.url}/orders.csv` },
      });
      await page.goto(at("/"));
      await importRow("Never ending").getByRole("button", { name: "Run now: Never ending" }).click();
      await page.getByRole("heading", { name: /^Run of Never ending/ }).waitFor();
      const runPath = new URL(page.url()).pathname;
      expect(await page.locator("#run-live").getAttribute("data-finished")).toBe("false");
      await expect.poll(() => message.textContent(), { timeout: 5000 }).toMatch(/^This run was not found/);
      await page.waitForTimeout(3000);
      expect(asked).toBe(1);
      expect(await message.getByRole("link", { name: "Back to Data Imports" }).getAttribute("href")).toBe(
        "/",
      );

      answer = 401;
      asked = 0;
      await page.reload();
      await expect.poll(() => message.textContent(), { timeout: 5000 }).toMatch(/^Your session has ended/);
      await page.waitForTimeout(3000);
      expect(asked).toBe(1);
      expect(await message.getByRole("link", { name: "Sign in again" }).getAttribute("href")).toBe(
        `/sign-in?next=${encodeURIComponent(runPath)}`,
      );

      // 503s: asked again after 2 s, then 4 s, then 8 s (not every second), saying so.
      answer = 503;
      askedAt.length = 0;
      await page.reload();
      await expect.poll(() => message.textContent(), { timeout: 5000 }).toMatch(/Trying again in 2 s\.$/);
      await expect.poll(() => askedAt.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      await expect.poll(() => message.textContent()).toBe("The dashboard answered 503. Trying again in 8 s.");
      const [first = 0, second = 0, third = 0] = askedAt;
      // Each wait starts once the answer before it is in, so it is at least what the page said.
      expect(second - first).toBeGreaterThanOrEqual(1990);
      expect(third - second).toBeGreaterThanOrEqual(3990);
      expect(browser.errors).toEqual([]);
      expect((await api.call("GET", `/v1/imports/${id}`)).status).toBe(200);
    } finally {
      await page.unroute("**/runs/*/status.json");
      for (const res of held) res.destroy();
      await server.close();
    }
  });
});

/** Takes the page's screenshot at desktop and phone size; answers how far the phone page overflows. */
async function bothSizes(name: string): Promise<number> {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await screenshot(page, `${name}-phone`);
    return await horizontalOverflow(page);
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
}

/**
 * A file server whose one file goes out in two parts: the first at once, the rest once
 * `release` is called, so that a run reading it stays in progress until then.
 */
async function serveHeld(file: string) {
  const bytes = Buffer.from(file);
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await serveFiles(new Map(), {
    intercept: (_req, res) => {
      res.writeHead(200, { "content-type": "text/csv", "content-length": String(bytes.length) });
      res.write(bytes.subarray(0, 64 * 1024));
      released.then(() => res.end(bytes.subarray(64 * 1024)));
      return true;
    },
  });
  return { server, release };
}

const runOf = (id: string) =>
  api.call<{ status: string; progress: { bytesTotal: number } }>("GET", `/v1/runs/${id}`);

describe("the dashboard shows what happened", () => {
  let historyImport = "";

  it("shows an import's history and chart: completed, completed with issues, failed and cancelled runs", async () => {
    await signInIfAsked();
    const good = await api.upload("good.csv", velocidiFile(6).replace(/^or(\d+),/gm, "hg$1,"));
    const bad = await api.upload(
      "bad.csv",
      velocidiFile(3, { bad: new Set([2]) }).replace(/^or(\d+),/gm, "hb$1,"),
    );
    const noColumns = await api.upload("columns.csv", "id,name\n1,Shirt\n");
    historyImport = await api.createImport({
      name: "Orders with history",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key: good },
      options: { hashUserIds: true },
      transformations: [{ op: "add", field: "channel", value: "web" }],
      schedule: { everyDays: 2, startAt: "2027-01-01T02:00:00Z", enabled: true },
    });
    expect((await api.run(historyImport, {}, RUN_TIMEOUT)).status).toBe("completed");
    const withIssues = await api.run(historyImport, { source: { type: "upload", key: bad } }, RUN_TIMEOUT);
    expect(withIssues.stats.itemsInvalid).toBe(1);
    const failed = await api.run(historyImport, { source: { type: "upload", key: noColumns } }, RUN_TIMEOUT);
    expect(failed.error?.code).toBe("missing_columns");
    // A run of a file that never finishes arriving, cancelled while it waits.
    const held = await serveHeld(velocidiFile(2000));
    try {
      const started = await api.call<{ id: string }>("POST", `/v1/imports/${historyImport}/runs`, {
        source: { type: "url", url: `${held.server.url}/orders.csv` },
      });
      await expect.poll(async () => (await runOf(started.body.id)).body.status).toBe("in_progress");
      // The list follows a run that is going, without being reloaded.
      await page.goto(at("/?q=with+history"));
      const cell = importRow("Orders with history").locator(".run-cell");
      expect(await cell.locator(".badge-label").textContent()).toBe("Running");
      await expect
        .poll(() => cell.locator('[data-live="progress"]').textContent(), { timeout: 10_000 })
        .toBe("Reading the source");
      expect((await api.call("POST", `/v1/runs/${started.body.id}/cancel`)).status).toBe(200);
      await expect
        .poll(() => cell.locator(".badge-label").textContent(), { timeout: 10_000 })
        .toBe("Cancelled");
      expect(await cell.locator('[data-live="progress"]').count()).toBe(0);
    } finally {
      held.release();
      await held.server.close();
    }

    // The list: the last run's status, and the name leads to the import's page.
    await page.goto(at("/?q=with+history"));
    const row = importRow("Orders with history");
    expect(await row.locator(".badge-label").textContent()).toBe("Cancelled");
    expect(await row.locator("time").last().getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await row.getByRole("link", { name: "Orders with history", exact: true }).click();
    await page.getByRole("heading", { name: "Orders with history", level: 1 }).waitFor();

    const history = page.locator("table.history tbody tr");
    expect(await history.count()).toBe(4);
    const statuses = await history.locator(".badge-label").allTextContents();
    expect(statuses).toEqual(["Cancelled", "Failed", "Completed with 1 invalid item", "Completed"]);
    const counts = async (i: number) =>
      (await history.nth(i).locator("td.num").allTextContents()).map((c) => c.trim());
    expect(await counts(3)).toEqual(["6", "0", "0", "0"]);
    expect(await counts(2)).toEqual(["2", "0", "0", "1"]);
    // The failed and the cancelled run read nothing: no counts, and the error's first sentence.
    expect(await counts(1)).toEqual(["—", "—", "—", "—"]);
    expect(await counts(0)).toEqual(["—", "—", "—", "—"]);
    expect(await history.nth(1).locator(".detail").textContent()).toMatch(
      /^The file is missing required columns/,
    );

    const chart = page.locator("svg.chart-svg");
    expect(await chart.locator("g.chart-run").count()).toBe(4);
    expect(await chart.getAttribute("aria-label")).toMatch(
      /^Items of the last 4 runs, oldest to newest: 1 completed, 1 completed with invalid items, 1 failed, 1 cancelled\./,
    );
    expect(await chart.locator(".mark-failed").count()).toBe(1);
    expect(await chart.locator(".mark-cancelled").count()).toBe(1);
    expect(await chart.locator("rect.bar-invalid").count()).toBe(1);
    expect(await page.getByText("Every 2 days, from 2027-01-01 02:00 UTC").count()).toBe(1);
    expect(await page.getByText("Add channel with the value web").count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await bothSizes("import-page")).toBe(0);

    // From the history to the failed run: what failed and what to do, and no claim about items.
    await history.nth(1).getByRole("link").click();
    await page.getByRole("heading", { name: "What failed" }).waitFor();
    expect(await page.locator("progress").count()).toBe(0);
    expect(await page.locator("[data-stat]").count()).toBe(0);
    expect(await page.getByText(/Waiting to start|every item was valid/).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Map the file's columns" }).getAttribute("href")).toBe(
      `/imports/${historyImport}/edit?step=mapping`,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await bothSizes("run-failed")).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it("cancels a running import of a large file from its page, after asking", async () => {
    await signInIfAsked();
    const held = await serveHeld(velocidiFile(30_000).replace(/^or(\d+),/gm, "lg$1,"));
    try {
      const id = await api.createImport({
        name: "Large file to cancel",
        type: "orders",
        format: "velocidi_csv",
        source: { type: "url", url: `${held.server.url}/large.csv` },
      });
      await page.goto(at(`/imports/${id}`));
      await page.getByRole("button", { name: "Run now" }).click();
      await page.getByRole("heading", { name: /^Run of Large file to cancel/ }).waitFor();
      // Queued, then (the page reloads itself) running, with its progress.
      await expect
        .poll(() => page.locator('[data-field="status"] .badge-label').textContent(), {
          timeout: RUN_TIMEOUT,
        })
        .toBe("Running");
      await page.locator("#run-progress").waitFor();
      expect(await bothSizes("run-running")).toBe(0);
      const runPath = new URL(page.url()).pathname;
      // Without script, Cancel run asks on a page of its own.
      await page.goto(at(`${runPath}/cancel`));
      await page.getByRole("heading", { name: "Cancel this run?", level: 1 }).waitFor();
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await bothSizes("run-cancel-confirm")).toBe(0);
      await page.getByRole("link", { name: "Keep it running" }).click();
      await page.getByRole("heading", { name: /^Run of Large file to cancel/ }).waitFor();
      // Its scripts have run: Cancel run asks in a dialog on the page.
      await page.waitForLoadState("domcontentloaded");

      // Cancel asks first; Escape keeps the run going and gives the keyboard back.
      const cancel = page.getByRole("link", { name: "Cancel run" });
      await cancel.click();
      const dialog = page.getByRole("dialog", { name: "Cancel this run?" });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Keep it running");
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await bothSizes("run-cancel-dialog")).toBe(0);
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel run");
      const runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
      expect((await runOf(runId)).body.status).toBe("in_progress");

      await cancel.click();
      await dialog.getByRole("button", { name: "Cancel the run" }).click();
      await page.getByText("The run was cancelled.", { exact: true }).waitFor();
      expect(await page.locator('[data-field="cancelled"]').textContent()).toBe(
        "It was cancelled before it had read anything.",
      );
      expect(await page.locator('[data-field="status"] .badge-label').textContent()).toBe("Cancelled");
      expect(await page.getByRole("link", { name: "Cancel run" }).count()).toBe(0);
      expect(await page.locator("progress").count()).toBe(0);
      expect((await runOf(runId)).body.status).toBe("cancelled");
      expect(await bothSizes("run-cancelled")).toBe(0);

      // The rest of the file arrives: the run stays cancelled, and imports nothing.
      held.release();
      await expect
        .poll(async () => (await runOf(runId)).body.progress.bytesTotal, { timeout: RUN_TIMEOUT })
        .toBeGreaterThan(0);
      expect((await runOf(runId)).body.status).toBe("cancelled");
      expect((await api.call("GET", "/v1/orders/lg1")).status).toBe(404);
    } finally {
      held.release();
      await held.server.close();
    }
    expect(browser.errors).toEqual([]);
  });

  it("groups a run's issues by code, filters them by code and field, and keeps warnings apart", async () => {
    await signInIfAsked();
    // 55 bad totals, 6 orders without a user id, and 2 line items whose total does not add up.
    const lines = velocidiFile(70, { bad: new Set(Array.from({ length: 55 }, (_, i) => i + 1)) })
      .replace(/^or(\d+),/gm, "gi$1,")
      .trimEnd()
      .split("\n");
    const file = lines
      .map((line, i) => {
        if (i === 0) return line;
        const order = Number(/^gi(\d+),/.exec(line)?.[1]);
        if (order > 60 && order <= 66) return line.replace(/,email,[^,]*,/, ",email,,");
        if (order > 68) return line.replace(/,EUR,102\.5,85,/, ",EUR,50,85,");
        return line;
      })
      .join("\n");
    const key = await api.upload("grouped.csv", `${file}\n`);
    const id = await api.createImport({
      name: "Orders with many issues",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await page.goto(at(`/imports/${id}`));
    await page.getByRole("button", { name: "Run now" }).click();
    await page.locator('#run-live[data-finished="true"]').waitFor({ timeout: RUN_TIMEOUT });

    const groups = page.getByRole("list", { name: "Errors by code" }).getByRole("link");
    expect(await groups.allTextContents()).toEqual(["invalid_number: 55", "missing_field: 6"]);
    expect(await page.locator(".issues-summary").textContent()).toMatch(
      /^61 errors in 61 invalid items · \d+ warnings?, not counted as invalid$/,
    );
    const rows = page.locator("table.issues tbody tr");
    expect(await page.getByText("Errors 1–50 of 61.").count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await bothSizes("run-issues")).toBe(0);

    // One code, in one click.
    await groups.filter({ hasText: "missing_field" }).click();
    await page.getByText("Errors 1–6 of 6 that match.").waitFor();
    expect(new Set(await rows.locator('td[data-label="Code"]').allTextContents())).toEqual(
      new Set(["missing_field"]),
    );
    expect(await page.getByLabel("Code", { exact: true }).inputValue()).toBe("missing_field");

    // A field, with the form; its pages keep the filter.
    await page.getByLabel("Code", { exact: true }).selectOption("");
    await page.getByLabel("Field", { exact: true }).selectOption("total");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText("Errors 1–50 of 55 that match.").waitFor();
    await page.getByRole("link", { name: "Next page" }).click();
    await page.getByText("Errors 51–55 of 55 that match.").waitFor();
    expect(new Set(await rows.locator('td[data-label="Field"]').allTextContents())).toEqual(
      new Set(["total"]),
    );

    // Warnings apart, with their own words.
    await page
      .getByRole("navigation", { name: "Kinds of issues" })
      .getByRole("link", { name: /^Warnings/ })
      .click();
    await page.getByText("Warnings are not counted as invalid: their items were imported.").waitFor();
    expect(new Set(await rows.locator('td[data-label="Code"]').allTextContents())).toEqual(
      new Set(["total_mismatch"]),
    );
    expect(await page.locator("table.issues-warning").count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await bothSizes("run-warnings")).toBe(0);
    expect(browser.errors).toEqual([]);
  });

  it("searches the list and filters it by type and by the last run's status", async () => {
    await signInIfAsked();
    await api.createImport({
      name: "Catalogue for search",
      type: "products",
      format: "jsonl",
      source: {
        type: "upload",
        key: await api.upload("p.jsonl", '{"id":"p1","title":"Shirt","price":10}\n'),
      },
    });
    await page.goto(at("/"));
    const names = () => page.locator("table.imports a.import-name").allTextContents();
    const search = page.getByLabel("Search", { exact: true });
    await search.fill("WITH HISTORY");
    await search.press("Enter");
    await expect.poll(names).toEqual(["Orders with history"]);
    await search.fill("");
    await page.getByLabel("Type", { exact: true }).selectOption("products");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(names).toEqual(["Catalogue for search"]);
    await page.getByLabel("Type", { exact: true }).selectOption("");
    await page.getByLabel("Last run", { exact: true }).selectOption("cancelled");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(names).toEqual(["Large file to cancel", "Orders with history"]);
    expect(await page.getByRole("status").filter({ hasText: "match" }).textContent()).toMatch(
      /^2 imports of \d+ match$/,
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, "imports-list-filtered");
    await page.getByRole("link", { name: "Clear filters" }).click();
    const all = await api.call<{ items: unknown[] }>("GET", "/v1/imports?limit=1000");
    await expect.poll(async () => (await names()).length).toBe(all.body.items.length);
    // Names never break inside a word.
    const broken = await page
      .locator("table.imports .import-name")
      .evaluateAll((links) => links.filter((a) => getComputedStyle(a).overflowWrap === "anywhere").length);
    expect(broken).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await bothSizes("imports-list")).toBe(0);

    // Delete, from the row's menu, asks on its own page; Cancel leads back to the import.
    await openMenu("Catalogue for search");
    expect(await accessibilityViolations(page)).toEqual([]);
    await importRow("Catalogue for search")
      .getByRole("link", { name: "Delete Catalogue for search" })
      .click();
    await page.getByRole("heading", { name: "Delete this import?" }).waitFor();
    expect(await bothSizes("import-delete-confirm")).toBe(0);
    await page.getByRole("link", { name: "Cancel" }).click();
    await page.getByRole("heading", { name: "Catalogue for search", level: 1 }).waitFor();
  });

  it("lays the wizard's stepper on one line and its preview in a table that scrolls inside its card on a phone", async () => {
    await signInIfAsked();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(at(`/imports/${historyImport}/edit?step=preview`));
      await page.getByRole("heading", { name: /^Items \(\d+\)/ }).waitFor({ timeout: 30_000 });
      const tops = await page
        .locator(".step-link")
        .evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);
      expect(await page.locator("#preview table.preview-table").count()).toBeGreaterThan(0);
      expect(await page.locator("#preview table.responsive").count()).toBe(0);
      // The first table is wider than the phone: it scrolls inside its card, the page does not.
      const wrap = await page
        .locator("#preview .table-wrap")
        .first()
        .evaluate((w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
      expect(wrap.scroll).toBeGreaterThan(wrap.client);
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, "wizard-preview-phone");
      await page.goto(at("/imports/new"));
      expect(await horizontalOverflow(page)).toBe(0);
      await screenshot(page, "wizard-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });
});
