import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibilityViolations,
  type BrowserSession,
  horizontalOverflow,
  screenshot,
  startDashboardSuite,
} from "../support/browser";
import { ApiClient } from "../support/client";
import { VELOCIDI_HEADER, velocidiRow } from "../support/files";
import type { Stack } from "../support/stack";

const KEY = "key_explorer";
const OTHER_KEY = "key_explorer_other";
const ORDERS = 12;

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;
let ordersRunId = "";
let customersRunId = "";

/** Ann's 12 orders of two line items each, a day apart, placed under her plain e-mail. */
function annsOrders(): string {
  const lines = [VELOCIDI_HEADER];
  for (let i = 1; i <= ORDERS; i++) {
    const day = String(i).padStart(2, "0");
    const order = { id: `ann${day}`, email: "Ann@Example.com", createdAt: `2026-01-${day}T10:00:00Z` };
    lines.push(velocidiRow(order, 1), velocidiRow(order, 2));
  }
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  ({ stack, api, browser, page } = await startDashboardSuite("explorer", KEY));
  const orders = await api.createImport({
    name: "Webshop orders",
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key: await api.upload("ann.csv", annsOrders()) },
    options: { hashUserIds: true },
  });
  const customers = await api.createImport({
    name: "CRM customers",
    type: "customers",
    format: "csv",
    source: {
      type: "upload",
      key: await api.upload("crm.csv", "email,city,tier\nann@example.com,Lisboa,gold\n"),
    },
    options: { userIdField: "email", userIdType: "email", hashUserIds: true },
  });
  const ordersRun = await api.run(orders);
  const customersRun = await api.run(customers);
  expect([ordersRun.status, customersRun.status]).toEqual(["completed", "completed"]);
  ordersRunId = ordersRun.id;
  customersRunId = customersRun.id;
  // Another tenant's person with the same e-mail: never seen from this tenant.
  await stack.createTenant("explorer-other", OTHER_KEY);
  const other = new ApiClient(stack.url, OTHER_KEY);
  const theirs = await other.createImport({
    name: "Their customers",
    type: "customers",
    format: "csv",
    source: { type: "upload", key: await other.upload("c.csv", "email,city\nann@example.com,Porto\n") },
    options: { userIdField: "email", userIdType: "email", hashUserIds: true },
  });
  expect((await other.run(theirs)).status).toBe("completed");

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

/** Screenshots at desktop and phone size, with nothing scrolling sideways on the phone. */
async function screenshots(name: string): Promise<void> {
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-phone`);
  expect(await horizontalOverflow(page)).toBe(0);
  await page.setViewportSize({ width: 1280, height: 860 });
}

async function lookUp(idType: string, idValue: string): Promise<void> {
  await page.getByRole("link", { name: "Profiles", exact: true }).first().click();
  await page.getByRole("heading", { name: "Profiles", level: 1 }).waitFor();
  await page.getByLabel("Id type").fill(idType);
  await page.getByLabel("Id", { exact: true }).fill(idValue);
  await page.getByRole("button", { name: "Look up" }).click();
}

describe("the profile explorer in Chromium", () => {
  it("finds a person by a plain e-mail (stored hashed): ids, attributes with their run, orders summary, orders paged with line items", async () => {
    await page.goto(at("/"));
    await lookUp("email", "Ann@Example.com");
    await page.getByRole("heading", { name: "Ann@Example.com", level: 1 }).waitFor();
    const ids = page.getByRole("table", { name: "The ids of this profile" });
    expect(await ids.locator("tbody tr").count()).toBe(1);
    expect(await ids.locator("tbody td").first().textContent()).toBe("email_sha256");
    expect(await ids.locator("tbody td").nth(1).textContent()).toMatch(/^[0-9a-f]{64}$/);

    // The attributes of the CRM import, each linked to its run.
    const attributes = page.getByRole("table", { name: /attributes of this profile/ });
    const city = attributes.getByRole("row", { name: /city/ });
    expect(await city.getByRole("cell").first().textContent()).toBe("Lisboa");
    expect(await city.getByRole("link").getAttribute("href")).toBe(`/runs/${customersRunId}`);
    expect(await city.getByRole("link").textContent()).toContain("CRM customers");

    // The summary: 12 orders of €102.50, the first on January 1st, the last on the 12th.
    expect(await page.locator('[data-field="orders-count"]').textContent()).toBe(String(ORDERS));
    expect(await page.locator('[data-field="revenue"]').textContent()).toBe("€1,230.00");
    const summary = page.getByRole("region", { name: "Orders summary" });
    expect(await summary.textContent()).toContain("2026-01-01 10:00 UTC");
    expect(await summary.textContent()).toContain("2026-01-12 10:00 UTC");

    // Newest first, ten to a page, each with its line items.
    const orders = page.getByRole("region", { name: "Orders", exact: true });
    const headings = () => orders.getByRole("heading", { level: 3 }).allTextContents();
    expect(await headings()).toEqual(
      Array.from({ length: 10 }, (_, i) => `Order ann${String(ORDERS - i).padStart(2, "0")}`),
    );
    const lines = orders.getByRole("table", { name: "Line items of order ann12" });
    expect(await lines.locator("tbody tr").count()).toBe(2);
    expect(await lines.locator("tbody tr").first().textContent()).toContain('Shirt, "blue"');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshots("profile");

    await orders.getByRole("link", { name: "Older orders" }).click();
    await expect.poll(headings).toEqual(["Order ann02", "Order ann01"]);
    expect(await orders.getByRole("status").textContent()).toBe("Newest first: orders 11–12 of 12.");
    await orders.getByRole("link", { name: "Newest orders" }).click();
    await expect.poll(async () => (await headings())[0]).toBe("Order ann12");

    // The run that changed an attribute is one click away.
    await attributes.getByRole("row", { name: /tier/ }).getByRole("link").click();
    await page.getByRole("heading", { name: /Run of CRM customers/, level: 1 }).waitFor();
    expect(browser.errors).toEqual([]);
  });

  it("does not show another tenant's person", async () => {
    await page.goto(at("/profiles/email/ann%40example.com"));
    // This tenant's Ann lives in Lisboa; the other tenant's, in Porto.
    expect(await page.getByRole("table", { name: /attributes of this profile/ }).textContent()).not.toContain(
      "Porto",
    );
    await page.goto(at("/profiles/email/nobody%40example.com"));
    expect(await page.getByRole("alert").textContent()).toContain("No profile with email");
    expect(await page.getByLabel("Id", { exact: true }).inputValue()).toBe("nobody@example.com");
  });

  it("reaches an order of a run from the run's page, and its buyer from the order", async () => {
    await page.goto(at(`/runs/${ordersRunId}`));
    const imported = page.getByRole("region", { name: "What this run imported" });
    expect(await imported.textContent()).toContain("12 orders added or updated");
    // Every order the run wrote is listed, linked to its page.
    const links = imported.getByRole("listitem").getByRole("link");
    expect((await links.allTextContents()).sort()).toEqual(
      Array.from({ length: ORDERS }, (_, i) => `ann${String(i + 1).padStart(2, "0")}`).sort(),
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshots("run-imported");
    await imported.getByRole("link", { name: "ann05" }).click();
    await page.getByRole("heading", { name: "Order ann05", level: 1 }).waitFor();
    await page.goBack();
    await imported.getByLabel("Order id").fill("ann05");
    await imported.getByRole("button", { name: "Look up" }).click();
    await page.getByRole("heading", { name: "Order ann05", level: 1 }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshots("order");
    await page.getByRole("link", { name: /email_sha256/ }).click();
    await page.getByRole("region", { name: "Orders summary" }).waitFor();
    expect(await page.locator('[data-field="orders-count"]').textContent()).toBe(String(ORDERS));
  });

  it("downloads the person's data as a JSON file", async () => {
    await page.goto(at("/profiles/email/ann%40example.com"));
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download data" }).click(),
    ]);
    const saved = await download.path();
    const data = JSON.parse(await readFile(saved, "utf8")) as {
      profile: { id: string; attributes: Record<string, unknown> };
      orders: { orderId: string; lineItems: unknown[] }[];
    };
    expect(download.suggestedFilename()).toBe(`profile-${data.profile.id}.json`);
    expect(data.profile.attributes).toMatchObject({ city: "Lisboa", tier: "gold" });
    expect(data.orders).toHaveLength(ORDERS);
    expect(data.orders.every((o) => o.lineItems.length === 2)).toBe(true);
  });

  it("deletes the person after a confirmation that names what goes", async () => {
    await page.goto(at("/profiles/email/ann%40example.com"));
    await page.getByRole("link", { name: "Delete profile" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this profile?" });
    await dialog.waitFor();
    expect(await dialog.locator('[data-field="deletion"]').textContent()).toBe(
      "The profile, its 1 id (email_sha256) and its 12 orders with their line items will be deleted for good, with its attributes. This cannot be undone.",
    );
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshots("profile-delete");
    // Keep it: nothing is deleted, and the keyboard is back on Delete profile.
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Delete profile");
    expect((await api.call("GET", "/v1/profiles/email/ann%40example.com")).status).toBe(200);

    await page.getByRole("link", { name: "Delete profile" }).click();
    await dialog.getByRole("button", { name: "Delete profile" }).click();
    await page.getByText("Profile deleted: 1 profile, 1 id, 12 orders and 24 line items.").waitFor();
    expect((await api.call("GET", "/v1/profiles/email/ann%40example.com")).status).toBe(404);
    expect((await api.call("GET", "/v1/orders/ann05")).status).toBe(404);
    // The other tenant's Ann is still there.
    const other = new ApiClient(stack.url, OTHER_KEY);
    expect((await other.call("GET", "/v1/profiles/email/ann%40example.com")).status).toBe(200);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshots("profiles-deleted");
    expect(browser.errors).toEqual([]);
    expect(browser.dialogs).toEqual([]);
  });
});
