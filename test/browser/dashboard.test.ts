import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, screenshot, startDashboardSuite } from "../support/browser";
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

/** Waits on the run page (it polls, then reloads) until the run has ended; returns its status. */
async function waitForRunEnd(): Promise<string> {
  const status = page.locator('[data-field="status"] .badge');
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

/** From the Source step through the others to Save; waits for the list to say it was saved. */
async function saveFromSource(name: string, onPreview?: () => Promise<void>): Promise<void> {
  for (const step of ["Options", "Transformations", "Preview", "Schedule"]) {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: new RegExp(step), level: 2 }).waitFor();
    if (step === "Preview") await onPreview?.();
  }
  await page.getByRole("button", { name: "Save import" }).click();
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
      await saveFromSource("Orders with headers", async () => {
        // The preview of the stored import reads the source with its stored headers.
        await page.getByRole("heading", { name: "Items (14)" }).waitFor({ timeout: 30_000 });
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
    await saveFromSource("Orders by SFTP");
    expect(await storedSource(id)).toMatchObject({ path: "/orders-2.csv", password: "***", hostKeySha256 });

    // Another port is another server: its key is not the old one, and the password is asked for.
    await editSource(id);
    await page.getByLabel("Port (optional)").fill("2223");
    const note = page.locator("#sftp-password-moved");
    await expect.poll(() => note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/^The stored password is not sent to another server/);
    await page.getByLabel("Password").fill("second-password");
    await expect.poll(() => note.isHidden()).toBe(true);
    await saveFromSource("Orders by SFTP");
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
        .getByRole("button", { name: "Run Clicked twice now" })
        .boundingBox();
      if (!box) throw new Error("no Run now button");
      // Two clicks of the mouse, the second while the first run's request is on its way.
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await page.getByRole("heading", { name: /^Run of Clicked twice/ }).waitFor();
      expect(await waitForRunEnd()).toBe("Completed");
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
    await page.route("**/runs/*/status.json", (route) => {
      asked++;
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
      await importRow("Never ending").getByRole("button", { name: "Run Never ending now" }).click();
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

      // 503s: asked again after 1, 2, 4 s... (not every second), saying so.
      answer = 503;
      asked = 0;
      await page.reload();
      await expect.poll(() => message.textContent(), { timeout: 5000 }).toMatch(/Trying again in 2 s\.$/);
      await page.waitForTimeout(5500);
      expect(asked).toBeGreaterThanOrEqual(2);
      expect(asked).toBeLessThanOrEqual(3);
      expect(await message.textContent()).toMatch(/^The dashboard answered 503\. Trying again in \d+ s\.$/);
      expect(browser.errors).toEqual([]);
      expect((await api.call("GET", `/v1/imports/${id}`)).status).toBe(200);
    } finally {
      await page.unroute("**/runs/*/status.json");
      for (const res of held) res.destroy();
      await server.close();
    }
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
