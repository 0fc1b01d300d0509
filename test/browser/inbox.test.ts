import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, screenshot, startDashboardSuite } from "../support/browser";
import type { ApiClient } from "../support/client";
import { velocidiFile } from "../support/files";
import type { Stack } from "../support/stack";

const KEY = "key_inbox_page";

let stack: Stack;
let api: ApiClient;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  ({ stack, api, browser, page } = await startDashboardSuite("acme", KEY));
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url.origin });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const at = (path: string) => new URL(path, stack.url).toString();
const endpoint = () => `${stack.url.origin}/s3`;

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** WCAG 2.1 A and AA violations of serious or critical impact that axe-core finds on the page. */
async function seriousViolations(): Promise<string[]> {
  await page.evaluate(await AXE_SOURCE);
  const results = await page.evaluate(() =>
    (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: unknown,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Screenshots at desktop and phone size, and the accessibility check at both. */
async function lookAt(name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 860 });
  expect(await seriousViolations()).toEqual([]);
  await screenshot(page, `inbox-${name}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await seriousViolations()).toEqual([]);
  await screenshot(page, `inbox-${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 860 });
}

describe("the Inbox page", () => {
  it("needs a session", async () => {
    await page.goto(at("/inbox"));
    await expect.poll(() => new URL(page.url()).pathname).toBe("/sign-in");
    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/inbox");
  });

  it("shows the bucket, no keys and no files yet, reached from the header", async () => {
    await page.goto(at("/"));
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Inbox" }).click();
    await page.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    expect(await page.locator("#inbox-endpoint").textContent()).toBe(endpoint());
    await page.getByText("No keys yet").waitFor();
    await page.getByText("No files yet").waitFor();
    const aws = await page.locator("#example-aws").textContent();
    expect(aws).toContain(`--endpoint-url ${endpoint()}`);
    expect(aws).toContain("AWS_ACCESS_KEY_ID='<access key id>'");
    await lookAt("empty");
  });

  it("creates a key, shows its secret once with a copy button, and the key sends files", async () => {
    await page.getByLabel("Description (optional)").fill("Nightly ERP export");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "Key created: copy its secret now" }).waitFor();
    const accessKeyId = (await page.locator("#new-key-id").textContent()) ?? "";
    const secret = (await page.locator("#new-key-secret").textContent()) ?? "";
    expect(accessKeyId).toMatch(/^CDPI[A-Z2-7]{16}$/);
    expect(secret).toMatch(/^[A-Za-z0-9]{40}$/);

    await page.getByRole("button", { name: "Copy the secret access key" }).click();
    await page.getByText("Copied").first().waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await lookAt("created");

    // The examples work as pasted, once the secret is put in its place.
    for (const client of ["aws", "rclone", "s3cmd"]) {
      const text = (await page.locator(`#example-${client}`).textContent()) ?? "";
      expect(text).toContain(accessKeyId);
      const dir = await mkdtemp(join(tmpdir(), `example-${client}-`));
      await writeFile(join(dir, "orders.csv"), velocidiFile(1));
      const run = spawnSync("sh", ["-e", "-c", text.replaceAll("'<secret access key>'", secret)], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: dir, RCLONE_CONFIG: join(dir, "rclone.conf") },
      });
      expect(run.status, `${client}: ${run.stderr}`).toBe(0);
    }

    // An import watches nightly/ (the examples wrote under daily/); the key sends a file there.
    const importId = await api.createImport({
      name: "Orders from the inbox",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "r2", watchPrefix: "nightly/" },
    });
    const s3 = new S3Client({
      endpoint: endpoint(),
      region: "auto",
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey: secret },
    });
    await s3.send(
      new PutObjectCommand({ Bucket: "inbox", Key: "nightly/orders-2026-11-20.csv", Body: velocidiFile(4) }),
    );
    await expect
      .poll(
        async () =>
          (await api.call<{ items: unknown[] }>("GET", `/v1/imports/${importId}/runs`)).body.items.length,
        {
          timeout: 30_000,
        },
      )
      .toBe(1);

    // The secret is not shown again; the file, its run and the key's last use are.
    await page.goto(at("/inbox"));
    expect(await page.content()).not.toContain(secret);
    const fileRow = page
      .locator("table.inbox-files tbody tr")
      .filter({ hasText: "nightly/orders-2026-11-20.csv" });
    await fileRow.getByRole("link", { name: "Orders from the inbox" }).waitFor();
    expect(await fileRow.locator('[data-label="Size"]').textContent()).toBe(
      `${(velocidiFile(4).length / 1000).toFixed(1)} KB`,
    );
    const keyRow = page.locator("table.inbox-keys tbody tr").filter({ hasText: accessKeyId });
    expect(await keyRow.locator('[data-label="Description"]').textContent()).toBe("Nightly ERP export");
    expect(await keyRow.locator('[data-label="Last used"] time').count()).toBe(1);
    await lookAt("with-files");

    // The run the file started opens from the list.
    await fileRow.getByRole("link", { name: "Orders from the inbox" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/runs\/run_/);
  });

  it("revokes a key after asking", async () => {
    await page.goto(at("/inbox"));
    const keyId = (await page.locator("table.inbox-keys tbody tr code").first().textContent()) ?? "";
    await page.getByRole("link", { name: `Revoke ${keyId}` }).click();
    await page.getByRole("heading", { name: "Revoke this key?" }).waitFor();
    await lookAt("revoke");
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByText(`Key ${keyId} revoked.`).waitFor();
    expect(await page.locator("table.inbox-keys").count()).toBe(0);
    await page.getByText("No keys yet").waitFor();
    expect(browser.errors).toEqual([]);
    expect(browser.dialogs).toEqual([]);
  });
});
