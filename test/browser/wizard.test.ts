import type { Page, Request, Route } from "playwright-core";
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
import { velocidiFile } from "../support/files";
import type { Stack } from "../support/stack";

const KEY = "key_wizard";
const PART_BYTES = 5 * 1024 * 1024;

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  ({ stack, api, browser, page } = await startDashboardSuite("wizard", KEY));
  await page.goto(at("/"));
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Data Imports", level: 1 }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const at = (path: string) => new URL(path, stack.url).toString();

const storedImport = async (id: string) =>
  (await api.call<Record<string, unknown>>("GET", `/v1/imports/${id}`)).body;

const csvFile = (name: string, content: string) => ({
  name,
  mimeType: "text/csv",
  buffer: Buffer.from(content),
});

/** A CSV file of about `bytes` bytes: past one part of 5 MiB, it goes up in parts. */
const bigFile = (name: string, bytes: number) => {
  const [header, ...rows] = velocidiFile(10).trimEnd().split("\n");
  const note = "n".repeat(Math.ceil(bytes / rows.length));
  return csvFile(name, `${header},note\n${rows.map((row) => `${row},${note}`).join("\n")}\n`);
};

/**
 * Clicks Next through the steps named, waiting for each heading, and on the Preview for its
 * items: the preview's table, arriving, moves Next down the page.
 */
async function nextTo(...steps: string[]): Promise<void> {
  for (const step of steps) {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: new RegExp(step), level: 2 }).waitFor();
    if (step === "Preview") await page.locator('#preview:not([aria-busy="true"])').waitFor();
  }
}

/** A new orders import in the wizard, on its Source step with "Uploaded file" chosen. */
async function newUploadImport(name: string): Promise<void> {
  await page.goto(at("/imports/new"));
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel(/^Orders/).check();
  await nextTo("Format");
  await page.getByLabel("Velocidi CSV").check();
  await nextTo("Source");
  await page.getByLabel("Uploaded file").check();
}

/** On through the steps named to Save; answers the id of the import saved. */
async function saveThrough(name: string, ...steps: string[]): Promise<string> {
  await nextTo(...steps, "Schedule");
  return save(name);
}

/** Saves from the last step; answers the id of the import saved, whose page the wizard opens. */
async function save(name: string): Promise<string> {
  await page.getByRole("button", { name: "Save import" }).click();
  await page.getByText(`Import “${name}” saved.`).waitFor();
  const id = /^\/imports\/([^/]+)$/.exec(new URL(page.url()).pathname)?.[1];
  if (!id) throw new Error(`not on the page of ${name}`);
  return id;
}

/** Opens a step of the wizard from its step list. */
async function openStep(title: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Steps of the wizard" })
    .getByRole("button", { name: title })
    .click();
  await page.getByRole("heading", { name: new RegExp(title), level: 2 }).waitFor();
}

/**
 * Holds the requests to upload URLs that `matches` picks (they never reach the server until
 * released), as a slow network would; answers when the first is held, and the release.
 */
async function holdUploads(matches: (url: URL, method: string) => boolean) {
  const held: Route[] = [];
  let heldOne: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => {
    heldOne = resolve;
  });
  const handler = (route: Route) => {
    const request = route.request();
    if (!matches(new URL(request.url()), request.method())) return route.continue().catch(() => {});
    held.push(route);
    heldOne();
  };
  await page.route("**/uploads/**", handler);
  return {
    firstHeld,
    /** Lets the held requests go on to the server (an aborted one cannot). */
    async release() {
      await page.unroute("**/uploads/**", handler);
      await Promise.all(held.map((route) => route.continue().catch(() => {})));
    },
  };
}

/** The requests to upload URLs, with how each ended. */
function watchUploads() {
  const requests: { method: string; url: URL; ended?: "finished" | "failed"; status?: number }[] = [];
  const find = (request: Request) => requests.find((r) => r.url.toString() === request.url());
  const onRequest = (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/uploads/")) requests.push({ method: request.method(), url });
  };
  const onFinished = async (request: Request) => {
    const entry = find(request);
    if (!entry) return;
    entry.status = (await request.response())?.status();
    entry.ended = "finished";
  };
  const onFailed = (request: Request) => {
    const entry = find(request);
    if (entry) entry.ended = "failed";
  };
  page.on("request", onRequest);
  page.on("requestfinished", onFinished);
  page.on("requestfailed", onFailed);
  return {
    requests,
    stop() {
      page.off("request", onRequest);
      page.off("requestfinished", onFinished);
      page.off("requestfailed", onFailed);
    },
  };
}

/**
 * A new upload import whose file (2.5 parts) goes up in parts, with part 2 held: answers the
 * hold and the watch of its requests, once part 2 is held (release and stop them in a finally).
 */
async function uploadInPartsHeld(name: string, file: string) {
  await newUploadImport(name);
  await page.locator("#upload-file").evaluate((input: HTMLInputElement, bytes) => {
    input.dataset.partBytes = String(bytes);
  }, PART_BYTES);
  const hold = await holdUploads((url) => url.searchParams.get("partNumber") === "2");
  const uploads = watchUploads();
  try {
    await page.getByLabel("File", { exact: true }).setInputFiles(bigFile(file, 2.5 * PART_BYTES));
    await hold.firstHeld;
  } catch (err) {
    uploads.stop();
    await hold.release();
    throw err;
  }
  return { hold, uploads };
}

/** Starts an upload in parts at the signed URL, as a client would: 201 once the URL is free. */
async function startParts(uploadUrl: URL): Promise<number> {
  const url = new URL(uploadUrl.pathname + uploadUrl.search, stack.url);
  url.searchParams.delete("uploadId");
  url.searchParams.delete("partNumber");
  url.searchParams.set("uploads", "");
  return (await fetch(url, { method: "POST" })).status;
}

/** An orders export with its shop's own column names, dates as dd/MM/yyyy, no refund columns; order 1003's total is no number. */
const FOREIGN_ORDERS = [
  "Order Number,Customer Email,Order Date,Currency,Order Total,Subtotal,Tax,Shipping,Discount,Bought with,Product ID,SKU,Product Name,Quantity,Line Total,Line Subtotal,Line Tax,Line Shipping,Line Discount,Item Status,Gift wrap",
  "1001,ann@example.com,16/09/2025,EUR,102.50,85.00,11.50,6.00,0.00,Visa,p1,SKU-1,Blue shirt,1,51.25,42.50,5.75,3.00,0.00,fulfilled,no",
  "1001,ann@example.com,16/09/2025,EUR,102.50,85.00,11.50,6.00,0.00,Visa,p2,SKU-2,Red socks,2,51.25,42.50,5.75,3.00,0.00,fulfilled,no",
  "1002,bob@example.com,17/09/2025,EUR,12.30,10.00,2.30,0.00,0.00,MB Way,p3,SKU-3,Cap,1,12.30,10.00,2.30,0.00,0.00,paid,yes",
  "1003,cid@example.com,18/09/2025,EUR,12.5x,10.00,2.30,0.00,0.00,Visa,p3,SKU-3,Cap,1,12.30,10.00,2.30,0.00,0.00,paid,no",
].join("\n");

/** The select of a column on the Mapping step. */
const fieldOf = (column: string) => page.getByLabel(`Field for the column ${column}`, { exact: true });

describe("the wizard's mapping step in Chromium", () => {
  it("maps a file with its own column names from the suggestions, with no column name typed, to a completed run", async () => {
    await newUploadImport("Foreign orders");
    await page.getByLabel("File", { exact: true }).setInputFiles(csvFile("shop-export.csv", FOREIGN_ORDERS));
    await expect
      .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
      .toMatch(/^Uploaded shop-export\.csv/);
    await nextTo("Mapping");
    // Each column with its first values, the suggested field chosen.
    await fieldOf("Order Number").waitFor({ timeout: 30_000 });
    const firstValues = page.getByRole("row", { name: /Order Date/ }).getByRole("listitem");
    expect(await firstValues.allTextContents()).toEqual(["16/09/2025", "17/09/2025", "18/09/2025"]);
    expect(await fieldOf("Order Number").inputValue()).toBe("=orderId");
    expect(await fieldOf("Customer Email").inputValue()).toBe("=userId");
    expect(await fieldOf("Order Date").inputValue()).toBe("=createdAt");
    expect(await page.getByRole("row", { name: /Order Date/ }).textContent()).toContain(
      "Dates read as dd/MM/yyyy",
    );
    expect(await fieldOf("Gift wrap").inputValue()).toBe("");
    expect(await fieldOf("Bought with").inputValue()).toBe("");

    // The required fields no column fills are named, and each can be given one value.
    const required = page.getByRole("region", { name: "Required fields" });
    expect(await required.textContent()).toContain("2 required fields are not mapped yet");
    expect(await required.getByRole("listitem").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining("refund"), expect.stringContaining("lineItem_refund")]),
    );
    expect(await required.textContent()).toContain("userIdType set to email for every item");
    expect(await required.textContent()).toContain("lineItem_currency copied from currency");

    // The preview follows the mapping: order 1003's total is an issue naming the file's column.
    const preview = page.getByRole("region", { name: "Preview of the first items" });
    await expect.poll(() => preview.textContent(), { timeout: 30_000 }).toContain("required columns");
    await required.getByLabel("Value of refund for every item").fill("0");
    await required.getByLabel("Value of refund for every item").press("Enter");
    await required.getByLabel("Value of lineItem_refund for every item").fill("0");
    await required.getByRole("button", { name: "Set" }).click();
    await expect.poll(() => required.textContent()).toContain("All 22 required fields are mapped.");
    // A column the suggestions left out, chosen by keyboard: the focus stays on its select.
    await fieldOf("Bought with").focus();
    await page.keyboard.type("paym");
    await expect.poll(() => fieldOf("Bought with").inputValue()).toBe("=paymentMethod");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await fieldOf("Bought with").getAttribute("id"),
    );
    await expect
      .poll(() => preview.getByRole("status").textContent(), { timeout: 30_000 })
      .toBe("The first 2 items as mapped; 1 issue in the first records.");
    const items = preview.getByRole("table", { name: "The first items with this mapping" });
    expect(await items.locator("tbody tr").first().textContent()).toContain("1001");
    expect(await items.locator("tbody tr").first().textContent()).toContain("Visa");
    const issue = preview.getByRole("table", { name: /Issues of the first items/ }).locator("tbody tr");
    expect(await issue.textContent()).toContain("Column “Order Total”");
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, "wizard-mapping");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "wizard-mapping-phone");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 860 });

    // One model: the Transformations step shows the mapping as renames, and edits it.
    await nextTo("Options", "Transformations");
    const froms = await page
      .locator("#transformations input[id$='-from']")
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(froms.slice(0, 3)).toEqual(["Order Number", "Customer Email", "Order Date"]);
    expect(froms).toContain("Bought with");
    const boughtWith = froms.indexOf("Bought with");
    await page.getByRole("button", { name: `Remove transformation ${boughtWith + 1}` }).click();
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("heading", { name: /Mapping/, level: 2 }).waitFor();
    expect(await fieldOf("Bought with").inputValue()).toBe("");
    await fieldOf("Bought with").selectOption("=paymentMethod");

    const id = await saveThrough("Foreign orders", "Options", "Transformations", "Preview");
    const saved = (await storedImport(id)).transformations as Record<string, unknown>[];
    expect(saved).toEqual(
      expect.arrayContaining([
        { op: "rename", from: "Order Number", to: "orderId" },
        {
          op: "rename",
          from: "Order Date",
          to: "createdAt",
          values: [{ type: "timestamp", pattern: "dd/MM/yyyy" }],
        },
        { op: "rename", from: "Bought with", to: "paymentMethod" },
        { op: "add", field: "userIdType", value: "email" },
        { op: "copy", from: "currency", to: "lineItem_currency" },
        { op: "add", field: "refund", value: 0 },
        { op: "add", field: "lineItem_refund", value: 0 },
      ]),
    );

    // Run it: two orders imported, the third's total an issue on the file's own column.
    await page.getByRole("button", { name: "Run now" }).first().click();
    await page.locator('#run-live[data-finished="true"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('[data-field="status"] .badge-label').textContent()).toBe(
      "Completed with 1 invalid item",
    );
    expect(await page.locator('[data-stat="added"]').textContent()).toBe("2");
    const issueRow = page.locator("table.issues tbody tr").first();
    expect(await issueRow.locator('[data-field="column"]').textContent()).toBe("Column “Order Total”");
    expect(await issueRow.locator("td").nth(1).textContent()).toContain("1003");
    const order = await api.call<{ createdAt: string; paymentMethod: string }>("GET", "/v1/orders/1001");
    expect(order.body).toMatchObject({ createdAt: "2025-09-16T00:00:00.000Z", paymentMethod: "Visa" });
    expect(browser.errors).toEqual([]);
  });
});

describe("the wizard's mapping step for customers in Chromium", () => {
  it("takes the user id column and its type from the suggestions, into the options, and leaves a column out", async () => {
    await page.goto(at("/imports/new"));
    await page.getByLabel("Name", { exact: true }).fill("CRM export");
    await page.getByLabel(/^Customers/).check();
    await nextTo("Format");
    await page.getByLabel("CSV", { exact: true }).check();
    await nextTo("Source");
    await page.getByLabel("Uploaded file").check();
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles(
        csvFile(
          "crm.csv",
          "E-mail Address;First Name;Telemóvel;City\nann@example.com;Ann;912345678;Lisboa\nbob@example.com;Bob;;Porto\n",
        ),
      );
    await expect
      .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
      .toMatch(/^Uploaded crm\.csv/);
    await nextTo("Mapping");
    // Read with commas, the header is one column: the step offers the delimiter it has.
    await page.getByRole("button", { name: "Read it with “;”" }).click({ timeout: 30_000 });
    await fieldOf("E-mail Address").waitFor({ timeout: 30_000 });
    expect(await fieldOf("E-mail Address").inputValue()).toBe("userId");
    expect(await fieldOf("First Name").inputValue()).toBe("attribute");
    expect(await page.getByLabel("Type of the user ids").inputValue()).toBe("email");
    await fieldOf("City").selectOption("ignore");
    const preview = page.getByRole("region", { name: "Preview of the first items" });
    // The preview follows: Ann's city is no longer imported, her name is.
    await expect.poll(() => preview.textContent(), { timeout: 30_000 }).toContain("Ann");
    await expect.poll(() => preview.textContent(), { timeout: 30_000 }).not.toContain("Lisboa");
    expect(await accessibilityViolations(page)).toEqual([]);
    // The same options on the Options step.
    await nextTo("Options");
    expect(await page.getByLabel("User id field").inputValue()).toBe("E-mail Address");
    expect(await page.getByLabel("User id type").inputValue()).toBe("email");
    const id = await saveThrough("CRM export", "Transformations", "Preview");
    const saved = await storedImport(id);
    expect(saved.options).toMatchObject({
      userIdField: "E-mail Address",
      userIdType: "email",
      delimiter: ";",
    });
    expect(saved.transformations).toEqual([{ op: "delete", field: "City" }]);
    expect(browser.errors).toEqual([]);
  });
});

describe("the wizard in Chromium", () => {
  it("saves back a stored map's JSON values and a custom user id type unchanged", async () => {
    const key = await api.upload("customers.jsonl", '{"id":"c1","vip":1}\n{"id":"c2","vip":0}\n');
    const transformations = [
      {
        op: "copy",
        from: "vip",
        to: "isVip",
        values: [
          {
            type: "map",
            mappings: [
              { from: 1, to: true },
              { from: 0, to: false },
              { from: "1", to: "yes" },
              { from: null, to: { tier: [1, "a"] } },
            ],
          },
        ],
      },
    ];
    const options = { userIdField: "id", userIdType: "crm_id" };
    const id = await api.createImport({
      name: "JSON customers",
      type: "customers",
      format: "jsonl",
      source: { type: "upload", key },
      options,
      transformations,
    });
    await page.goto(at(`/imports/${id}/edit`));
    await expect.poll(() => page.locator("#name").inputValue()).toBe("JSON customers");
    await page.getByLabel("Name", { exact: true }).fill("JSON customers, edited");
    await nextTo("Format", "Source", "Mapping", "Options");
    // The stored id type is a choice of its own, chosen: not "Choose…" and a "Required".
    expect(await page.getByLabel("User id type").inputValue()).toBe("crm_id");
    await nextTo("Transformations");
    // Values that are not text show as JSON, marked so; the text "1" shows as it is.
    const shown = await page
      .locator("#t0-v0-m0-from, #t0-v0-m0-to, #t0-v0-m2-from, #t0-v0-m3-to")
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(shown).toEqual(["1", "true", "1", '{"tier":[1,"a"]}']);
    expect(
      await page.locator("#t0-v0-m0-from").evaluate((i: HTMLInputElement) => i.labels?.[0]?.textContent),
    ).toBe("From value JSON");
    expect(
      await page.locator("#t0-v0-m2-from").evaluate((i: HTMLInputElement) => i.labels?.[0]?.textContent),
    ).toBe("From value");
    await saveThrough("JSON customers, edited", "Preview");
    const saved = await storedImport(id);
    expect(saved).toMatchObject({ name: "JSON customers, edited", options });
    expect(saved.transformations).toEqual(transformations);

    // Edited, a JSON field stays JSON (2 is a number); a new mapping is text.
    await page.goto(at(`/imports/${id}/edit`));
    await expect.poll(() => page.locator("#name").inputValue()).not.toBe("");
    await nextTo("Format", "Source", "Mapping", "Options", "Transformations");
    await page.locator("#t0-v0-m1-from").fill("2");
    await page.getByRole("button", { name: "Add mapping" }).click();
    await page.locator("#t0-v0-m4-from").fill("3");
    await page.locator("#t0-v0-m4-to").fill("true");
    await saveThrough("JSON customers, edited", "Preview");
    const mappings = transformations[0]?.values[0]?.mappings ?? [];
    expect(((await storedImport(id)).transformations as typeof transformations)[0]?.values[0]).toEqual({
      type: "map",
      mappings: [mappings[0], { from: 2, to: false }, mappings[2], mappings[3], { from: "3", to: "true" }],
    });
    expect(browser.errors).toEqual([]);
  });

  it("keeps a CSV import's custom user id type and delimiter", async () => {
    const key = await api.upload("customers.csv", "id:email\nc1:a@example.com\n");
    const options = { userIdField: "id", userIdType: "loyalty_card", delimiter: ":" };
    const id = await api.createImport({
      name: "Colon customers",
      type: "customers",
      format: "csv",
      source: { type: "upload", key },
      options,
    });
    await page.goto(at(`/imports/${id}/edit`));
    await expect.poll(() => page.locator("#name").inputValue()).toBe("Colon customers");
    await nextTo("Format", "Source", "Mapping", "Options");
    expect(await page.getByLabel("User id type").inputValue()).toBe("loyalty_card");
    expect(await page.getByLabel("Delimiter").inputValue()).toBe(":");
    expect(await page.locator("#delimiter option:checked").textContent()).toBe('":" (stored)');
    await saveThrough("Colon customers", "Transformations", "Preview");
    expect((await storedImport(id)).options).toEqual(options);
  });

  it("cancels an upload: no file is kept, and another file can be chosen", async () => {
    await newUploadImport("Cancelled upload");
    const hold = await holdUploads((url, method) => method === "PUT" && url.pathname.endsWith("/first.csv"));
    const uploads = watchUploads();
    try {
      await page.getByLabel("File", { exact: true }).setInputFiles(csvFile("first.csv", velocidiFile(3)));
      await hold.firstHeld;
      // While it goes up, Next waits and the upload can be cancelled.
      expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
      await page.getByRole("button", { name: "Cancel upload" }).click();
      await expect
        .poll(() => page.locator("#upload-status").textContent())
        .toBe("The upload of first.csv was cancelled.");
      expect(await page.getByRole("button", { name: "Cancel upload" }).isHidden()).toBe(true);
      expect(await page.getByLabel("File", { exact: true }).inputValue()).toBe("");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("upload-file");
      await expect.poll(() => uploads.requests.find((r) => r.method === "PUT")?.ended).toBe("failed");
      await hold.release();
      // No file is kept: Next asks for one.
      await page.getByRole("button", { name: "Next" }).click();
      await expect
        .poll(() => page.locator("#upload-file-error").textContent())
        .toBe("Choose a file to upload.");

      await page.getByLabel("File", { exact: true }).setInputFiles(csvFile("second.csv", velocidiFile(3)));
      await expect
        .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
        .toMatch(/^Uploaded second\.csv/);
    } finally {
      uploads.stop();
      await hold.release();
    }
    const id = await saveThrough("Cancelled upload", "Mapping", "Options", "Transformations", "Preview");
    expect((await storedImport(id)).source).toMatchObject({
      type: "upload",
      key: expect.stringMatching(/\/second\.csv$/),
    });
    expect(browser.errors).toEqual([]);
  });

  it("cancels an upload in parts: its parts are given up, and the URL is free again", async () => {
    const { hold, uploads } = await uploadInPartsHeld("Cancelled parts", "parts.csv");
    try {
      await page.getByRole("button", { name: "Cancel upload" }).click();
      await expect
        .poll(() => uploads.requests.find((r) => r.method === "DELETE"))
        .toMatchObject({ ended: "finished", status: 204 });
      const deleted = uploads.requests.find((r) => r.method === "DELETE");
      if (!deleted) throw new Error("the upload in parts was not given up (no DELETE)");
      expect(deleted.url.searchParams.get("uploadId")).toBeTruthy();
      expect(
        uploads.requests.map((r) => `${r.method} ${r.url.searchParams.get("partNumber") ?? ""}`),
      ).toEqual(["POST ", "PUT 1", "PUT 2", "DELETE "]);
      // The upload gave up the URL's claim: it can start again.
      expect(await startParts(deleted.url)).toBe(201);
    } finally {
      uploads.stop();
      await hold.release();
    }
    expect(await page.getByLabel("File", { exact: true }).inputValue()).toBe("");
    expect(browser.errors).toEqual([]);
  });

  it("gives up an upload in parts when the page is left", async () => {
    const { hold, uploads } = await uploadInPartsHeld("Left mid-upload", "left.csv");
    try {
      const started = uploads.requests.find((r) => r.method === "POST");
      if (!started) throw new Error("no upload in parts");
      // Held mid-upload, the URL is in use.
      expect(await startParts(started.url)).toBe(409);
      await page.goto(at("/"));
      await expect.poll(() => startParts(started.url), { timeout: 10_000 }).toBe(201);
    } finally {
      uploads.stop();
      await hold.release();
    }
  });

  it("offers no hashing or merge strategy for an E-goi import, which is always hashed and merged", async () => {
    await page.goto(at("/imports/new"));
    await page.getByLabel("Name", { exact: true }).fill("E-goi list");
    await page.getByLabel(/^Customers/).check();
    await nextTo("Format");
    await page.getByLabel("E-goi contact list").check();
    await nextTo("Source");
    await page.getByLabel("E-goi API key").fill("egoi-key-0123");
    await page.getByLabel("List id").fill("321");
    await nextTo("Mapping");
    expect(await page.getByText("E-goi contact lists have fixed fields").isVisible()).toBe(true);
    await nextTo("Options");
    await expect.poll(() => page.getByText("This format has no options.").isVisible()).toBe(true);
    expect(await page.getByLabel("Hash user ids").isVisible()).toBe(false);
    expect(await page.getByLabel("Merge strategy").isVisible()).toBe(false);
    await screenshot(page, "wizard-egoi-options");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "wizard-egoi-options-phone");
    await page.setViewportSize({ width: 1280, height: 860 });
    // A customers CSV import has both.
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByLabel("CSV", { exact: true }).check();
    await nextTo("Source");
    await page.getByLabel("URL", { exact: true }).check();
    await page.getByLabel("URL of the file").fill("https://exports.example.com/customers.csv");
    await nextTo("Mapping", "Options");
    expect(await page.getByLabel("Hash user ids").isVisible()).toBe(true);
    expect(await page.getByLabel("Merge strategy").isVisible()).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it("uploads only the last file chosen when another is chosen mid-upload", async () => {
    await newUploadImport("Second file wins");
    const hold = await holdUploads((url, method) => method === "PUT" && url.pathname.endsWith("/first.csv"));
    const uploads = watchUploads();
    try {
      await page.getByLabel("File", { exact: true }).setInputFiles(csvFile("first.csv", velocidiFile(3)));
      await hold.firstHeld;
      await page.getByLabel("File", { exact: true }).setInputFiles(csvFile("second.csv", velocidiFile(4)));
      await expect
        .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
        .toMatch(/^Uploaded second\.csv/);
      // The first upload was stopped; let its request go on: were it still alive, it would now
      // end, and its answer must not replace the second file.
      await hold.release();
      const first = () => uploads.requests.find((r) => r.url.pathname.endsWith("/first.csv"));
      await expect.poll(() => first()?.ended, { timeout: 10_000 }).toBeDefined();
      expect(first()?.ended).toBe("failed");
      await page.waitForTimeout(300);
      expect(await page.locator("#upload-status").textContent()).toMatch(/^Uploaded second\.csv/);
      expect(await page.getByRole("button", { name: "Next" }).isEnabled()).toBe(true);
    } finally {
      uploads.stop();
      await hold.release();
    }
    const id = await saveThrough("Second file wins", "Mapping", "Options", "Transformations", "Preview");
    expect((await storedImport(id)).source).toMatchObject({
      type: "upload",
      key: expect.stringMatching(/\/second\.csv$/),
    });
    expect(browser.errors).toEqual([]);
  });

  it("moves on when Next is pressed while the check of an earlier change is still being asked", async () => {
    await page.goto(at("/imports/new"));
    await page.getByLabel("Name", { exact: true }).fill("Checked twice");
    await page.getByLabel(/^Orders/).check();
    // Each check of the draft takes a second, as on a slow network.
    const checks: string[] = [];
    const slow = async (route: Route) => {
      checks.push(route.request().postData() ?? "");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await route.continue().catch(() => {});
    };
    await page.route("**/imports/check", slow);
    try {
      await page.getByRole("button", { name: "Next" }).click();
      await expect.poll(() => checks.length).toBe(1);
      // A change while Next's check is asked schedules a newer check, which overtakes it.
      await page.getByLabel("Name", { exact: true }).fill("Checked twice, renamed");
      await expect.poll(() => checks.length).toBe(2);
      await page.getByRole("heading", { name: /Format/, level: 2 }).waitFor();
      expect(checks[1]).toContain("Checked twice, renamed");
    } finally {
      await page.unroute("**/imports/check", slow);
    }
  });

  it("opens any step of an import being edited from the step list; a schedule starts tomorrow at 02:00, shown in UTC", async () => {
    const key = await api.upload("steps.csv", velocidiFile(3));
    const id = await api.createImport({
      name: "Edited by steps",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await page.goto(at(`/imports/${id}/edit`));
    await expect.poll(() => page.locator("#name").inputValue()).toBe("Edited by steps");
    // Straight to the schedule, no Next through seven steps.
    await openStep("Schedule");
    expect(await page.getByRole("button", { name: "Step 8: Schedule" }).getAttribute("aria-current")).toBe(
      "step",
    );
    await page.getByLabel(/^Every few days/).check();
    expect(await page.getByLabel("Every how many days").inputValue()).toBe("1");
    const firstRun = await page.getByLabel("First run").inputValue();
    const expected = await page.evaluate(() => {
      const d = new Date();
      d.setDate(d.getDate() + 1);
      d.setHours(2, 0, 0, 0);
      return {
        local: new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16),
        utc: `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`,
      };
    });
    expect(firstRun).toBe(expected.local);
    expect(await page.locator("#start-at-utc").textContent()).toContain(`that is ${expected.utc}.`);
    // An uploaded file on a schedule is the same file every time: the page says so, and offers a watched prefix.
    const warning = page.locator("#schedule-upload-warning");
    expect(await warning.textContent()).toContain("A schedule re-imports the same uploaded file each time");
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, "wizard-schedule");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "wizard-schedule-phone");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByLabel("Every how many days").fill("2");
    await save("Edited by steps");
    const schedule = (await storedImport(id)).schedule as {
      everyDays: number;
      startAt: string;
      enabled: boolean;
    };
    expect(schedule).toMatchObject({ everyDays: 2, enabled: true });
    expect(Date.parse(schedule.startAt)).toBe(
      Date.parse(`${expected.utc.replace(" UTC", "").replace(" ", "T")}Z`),
    );

    // A watched prefix instead of the schedule.
    await page.goto(at(`/imports/${id}/edit`));
    await expect.poll(() => page.locator("#name").inputValue()).toBe("Edited by steps");
    await openStep("Schedule");
    expect(await warning.isVisible()).toBe(true);
    await page.getByLabel("Files whose name starts with").fill("orders-");
    await page.getByRole("button", { name: "Watch this prefix instead" }).click();
    expect(await page.getByLabel(/^No schedule/).isChecked()).toBe(true);
    expect(await page.getByRole("status").filter({ hasText: "orders-" }).textContent()).toContain(
      "each file uploaded with a name that starts with “orders-” starts this import",
    );
    expect(await warning.isHidden()).toBe(true);
    await save("Edited by steps");
    const saved = await storedImport(id);
    expect(saved.schedule).toBeNull();
    expect(saved.source).toEqual({ type: "upload", key, watchPrefix: "orders-" });
    expect(browser.errors).toEqual([]);
  });

  it("does not save an import its preview cannot read, and says what to fix", async () => {
    await newUploadImport("Wrong columns");
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles(csvFile("columns.csv", "id,name\n1,Shirt\n"));
    await expect
      .poll(() => page.locator("#upload-status").textContent(), { timeout: 30_000 })
      .toMatch(/^Uploaded/);
    await nextTo("Mapping", "Options", "Transformations", "Preview");
    const problem = page.locator("#file-problem");
    await problem.getByText("This import cannot run as it is").waitFor({ timeout: 30_000 });
    expect(await problem.textContent()).toContain("The file is missing required columns");
    expect(await problem.getByRole("button", { name: "Save anyway" }).count()).toBe(0);
    await nextTo("Schedule");
    await page.getByRole("button", { name: "Save import" }).click();
    // Not saved: the reason has the keyboard, with the way to fix it.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("file-problem");
    expect(await problem.getByRole("button", { name: "Save anyway" }).count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, "wizard-save-blocked");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "wizard-save-blocked-phone");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 860 });
    const listed = await api.call<{ items: { name: string }[] }>("GET", "/v1/imports?limit=1000");
    expect(listed.body.items.map((i) => i.name)).not.toContain("Wrong columns");
    await problem.getByRole("button", { name: "Go to Mapping" }).click();
    await page.getByRole("heading", { name: /Mapping/, level: 2 }).waitFor();
    expect(browser.errors).toEqual([]);
  });

  it("saves a URL import whose file is not there yet only with an explicit Save anyway", async () => {
    const server: FileServer = await serveFiles(new Map());
    try {
      await page.goto(at("/imports/new"));
      await page.getByLabel("Name", { exact: true }).fill("File to come");
      await page.getByLabel(/^Orders/).check();
      await nextTo("Format");
      await page.getByLabel("Velocidi CSV").check();
      await nextTo("Source");
      await page.getByLabel("URL", { exact: true }).check();
      await page.getByLabel("URL of the file").fill(`${server.url}/tomorrow.csv`);
      await nextTo("Mapping", "Options", "Transformations", "Preview");
      const problem = page.locator("#file-problem");
      await problem.getByText("This import cannot run as it is").waitFor({ timeout: 30_000 });
      await nextTo("Schedule");
      await page.getByRole("button", { name: "Save import" }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("file-problem");
      await problem.getByRole("button", { name: "Save anyway" }).click();
      const id = /^\/imports\/([^/]+)$/.exec(
        await (async () => {
          await page.getByText("Import “File to come” saved.").waitFor();
          return new URL(page.url()).pathname;
        })(),
      )?.[1];
      expect((await storedImport(id ?? "")).source).toEqual({
        type: "url",
        url: `${server.url}/tomorrow.csv`,
      });
    } finally {
      await server.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
