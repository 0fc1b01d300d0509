import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "../support/accessibility";
import { type BrowserSession, screenshot, startDashboardSuite } from "../support/browser";
import type { ApiClient } from "../support/client";
import { velocidiFile } from "../support/files";
import type { Stack } from "../support/stack";
import { startWebhookReceiver, verifyWebhook, type WebhookReceiver } from "../support/webhook-receiver";

const KEY = "key_acme_browser_webhooks_0123456789abcdef";
const SCRIPT = "<img src=x onerror=alert(1)>";
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // Retries in seconds: an endpoint that fails for 4 s is disabled, an event is given up after 6 s.
  ({ stack, api, browser, page } = await startDashboardSuite("acme", KEY, {
    vars: {
      webhooks: {
        WEBHOOK_TIMEOUT_MS: "1000",
        WEBHOOK_RETRY_BASE_SECONDS: "1",
        WEBHOOK_RETRY_MAX_DELAY_SECONDS: "2",
        WEBHOOK_RETRY_FOR_SECONDS: "6",
        WEBHOOK_DISABLE_AFTER_SECONDS: "4",
        WEBHOOK_WATCH_MAX_DELAY_SECONDS: "1",
      },
    },
  }));
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await receiver?.close();
});

const at = (path: string) => new URL(path, stack.url).toString();

/** The card of an endpoint on the page, by its URL. */
const card = (url: string): Locator =>
  page.locator("section.webhook").filter({ has: page.getByRole("heading", { name: url, exact: true }) });

/** Reloads the page until `ready` holds (deliveries happen in the background). */
async function reloadUntil(ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`the page did not get there within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
    await page.reload();
  }
}

async function shoot(name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

let hooksSecret = "";
const hooksUrl = () => `${receiver.url}/hooks`;
const downUrl = () => `${receiver.url}/down`;

describe("the Webhooks page in Chromium", () => {
  it("is reached from the header, and invites to add a first endpoint", async () => {
    await page.goto(at("/"));
    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Data Imports", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await expect
      .poll(() => page.getByRole("navigation", { name: "Main" }).textContent())
      .toMatch(/Collect.*Data Imports.*Webhooks/);
    expect(await page.getByRole("heading", { name: "No endpoints yet" }).isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot("webhooks-empty");
  });

  it("adds an endpoint and shows its secret once; a test event arrives signed with it and shows as delivered", async () => {
    await page.getByLabel("Endpoint URL").fill(hooksUrl());
    expect(await page.getByLabel("Run completed").isChecked()).toBe(true);
    await page.getByLabel("Run cancelled").uncheck();
    await page.getByLabel("Description (optional)").fill(`Alerts ${SCRIPT}`);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByRole("heading", { name: "Signing secret" }).waitFor();
    hooksSecret = (await page.locator("#webhook-secret").textContent()) ?? "";
    expect(hooksSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot("webhooks-secret");
    const hooks = card(hooksUrl());
    expect(await hooks.getByText(`Alerts ${SCRIPT}`).isVisible()).toBe(true);
    expect(await hooks.locator(".webhook-facts").textContent()).toMatch(/Run completed, Run failed/);
    expect(browser.dialogs).toEqual([]);

    // Shown once: the next visit has no secret anywhere.
    await page.goto(at("/webhooks"));
    expect(await page.content()).not.toContain(hooksSecret.slice(6));

    await card(hooksUrl())
      .getByRole("button", { name: `Send test event to ${hooksUrl()}` })
      .click();
    await page.getByText("Test event queued").waitFor();
    const [request] = await receiver.waitFor("/hooks", 1);
    if (!request) throw new Error("no request");
    expect(verifyWebhook(hooksSecret, request)).toBe(true);
    await reloadUntil(
      async () => (await card(hooksUrl()).locator('tr[data-outcome="delivered"]').count()) === 1,
    );
    expect(await card(hooksUrl()).locator("tbody tr").first().textContent()).toMatch(
      /Test event.*200.*Delivered/,
    );
  });

  it("sends a run started in the dashboard as started by the dashboard, with the key's prefix only", async () => {
    const key = await api.upload("orders.csv", velocidiFile(3));
    await api.createImport({
      name: "Orders",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    await page.goto(at("/"));
    await shoot("imports-with-webhooks-link");
    await page.getByRole("button", { name: "Run now: Orders" }).click();
    await page.waitForURL(/\/runs\/run_/);
    const runId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    const [event] = await receiver.waitFor("/hooks", 1, (r) => JSON.parse(r.body).data?.run?.id === runId);
    if (!event) throw new Error("no event");
    const body = JSON.parse(event.body) as { type: string; data: { run: { startedBy: string } } };
    expect(body.type).toBe("run.completed");
    expect(body.data.run.startedBy).toBe("dashboard:key_acme");
    expect(event.body).not.toContain(KEY);
    expect(verifyWebhook(hooksSecret, event)).toBe(true);
  });

  it("shows a failing endpoint's failures and that it was disabled; enabled again, Resend delivers the event", async () => {
    receiver.answer("/down", () => ({ status: 500, body: "Internal Server Error" }));
    await page.goto(at("/webhooks"));
    await page.getByLabel("Endpoint URL").fill(downUrl());
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByRole("heading", { name: "Signing secret" }).waitFor();
    await card(downUrl())
      .getByRole("button", { name: `Send test event to ${downUrl()}` })
      .click();
    await page.getByText("Test event queued").waitFor();
    await reloadUntil(
      async () =>
        (await card(downUrl()).getByText("Disabled", { exact: true }).count()) === 1 &&
        (await card(downUrl()).locator('tr[data-outcome="failed"]').count()) >= 1,
    );
    const down = card(downUrl());
    expect(await down.getByRole("alert").textContent()).toMatch(
      /Disabled after its deliveries failed for 4 seconds/,
    );
    expect(await down.locator("tbody tr").first().textContent()).toMatch(
      /500.*Internal Server Error.*Failed/,
    );
    expect(await down.getByRole("button", { name: /Send test event/ }).count()).toBe(0);
    expect(await down.getByRole("button", { name: "Resend", exact: false }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot("webhooks");

    await down.getByRole("button", { name: `Enable ${downUrl()}` }).click();
    await page.getByText(`Endpoint ${downUrl()} enabled.`).waitFor();
    receiver.answer("/down", () => ({ status: 202, body: "queued" }));
    const before = receiver.at("/down").length;
    await card(downUrl())
      .getByRole("button", { name: /^Resend the test event/ })
      .click();
    await page.getByText("Event queued again").waitFor();
    await reloadUntil(
      async () => (await card(downUrl()).locator('tr[data-outcome="delivered"]').count()) === 1,
    );
    const resent = receiver.at("/down").slice(before);
    expect(resent).toHaveLength(1);
    expect(resent[0]?.headers["webhook-id"]).toBe(receiver.at("/down")[0]?.headers["webhook-id"]);
  });

  it("rotates a secret: the new one is shown once, and the old one signs next to it", async () => {
    await page.goto(at("/webhooks"));
    await card(hooksUrl())
      .getByRole("button", { name: `Rotate secret of ${hooksUrl()}` })
      .click();
    await page.getByRole("heading", { name: "New signing secret" }).waitFor();
    const rotated = (await page.locator("#webhook-secret").textContent()) ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(hooksSecret);
    expect(await card(hooksUrl()).locator(".webhook-facts").textContent()).toMatch(
      /Previous secret.*Signs too until/,
    );
    const count = receiver.at("/hooks").length;
    await page.goto(at("/webhooks"));
    await card(hooksUrl())
      .getByRole("button", { name: `Send test event to ${hooksUrl()}` })
      .click();
    const requests = await receiver.waitFor("/hooks", count + 1);
    const last = requests.at(-1);
    if (!last) throw new Error("no request");
    expect(verifyWebhook(hooksSecret, last)).toBe(true);
    expect(verifyWebhook(rotated, last)).toBe(true);
  });

  it("lists every delivery of an endpoint on its own page, and asks before deleting it", async () => {
    await page.goto(at("/webhooks"));
    await page.getByRole("link", { name: `All deliveries to ${hooksUrl()}` }).click();
    await page.getByRole("heading", { name: hooksUrl(), level: 1 }).waitFor();
    await page.getByRole("heading", { name: "Deliveries", level: 2 }).waitFor();
    expect(await page.locator("tbody tr").count()).toBeGreaterThanOrEqual(3);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot("webhook-endpoint");

    await page.getByRole("link", { name: `Delete ${hooksUrl()}` }).click();
    await page.getByRole("heading", { name: "Delete this endpoint?" }).waitFor();
    await page.getByRole("button", { name: "Delete endpoint" }).click();
    await page.getByText(`Endpoint ${hooksUrl()} deleted.`).waitFor();
    expect(await card(hooksUrl()).count()).toBe(0);
    expect((await api.call<{ items: unknown[] }>("GET", "/v1/webhooks")).body.items).toHaveLength(1);
    expect(browser.errors).toEqual([]);
    expect(browser.dialogs).toEqual([]);
  });
});
