import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEgoi, fakeContact, startFakeEgoi } from "./fakes/egoi.mjs";
import { ApiClient } from "./support/client";
import { type Stack, startStack } from "./support/stack";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let stack: Stack;
let api: ApiClient;
let egoi: FakeEgoi;
/** Offsets that answer 429 the first time they are asked for. */
const rateLimited = new Set([1000, 3000]);
/** Pages of list 500 that answer 503, then 408, before they answer. */
const flaky = new Map<number, number[]>([[0, [503, 408]]]);

beforeAll(async () => {
  egoi = await startFakeEgoi({
    clientId: "123",
    lists: { 321: 5000, 400: 3, 500: 4, 600: 2500 },
    // List 600 pages at most 400 contacts, whatever limit is asked for.
    pageCaps: { 600: 400 },
    faults: (request) => {
      if (request.path === "/lists/321/contacts" && rateLimited.delete(request.offset))
        return { status: 429, reset: 1 };
      const failures = request.path === "/lists/500/contacts" ? flaky.get(request.offset) : undefined;
      if (failures?.length) return { status: failures.shift() ?? 503 };
      return null;
    },
  });
  stack = await startStack({
    vars: { "egoi-sync": { EGOI_API_BASE: egoi.url }, "config-api": { EGOI_API_BASE: egoi.url } },
  });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
  await egoi?.close();
});

const egoiImport = (listId: number, apiKey = "egoi-test-key") =>
  api.createImport({
    name: `E-goi list ${listId}`,
    type: "customers",
    format: "egoi_contacts",
    source: { type: "egoi", apiKey, listId },
  });

describe("E-goi contacts sync", () => {
  it("imports 5,000 contacts exactly, waiting out 429s, and fetches no page twice for nothing", async () => {
    const importId = await egoiImport(321);
    const run = await api.run(importId, {}, 180_000);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({
      itemsRead: 5000,
      itemsValid: 5000,
      itemsInvalid: 0,
      added: 5000,
      updated: 0,
      unchanged: 0,
    });
    const pages = egoi.state.requests.filter((r) => r.path === "/lists/321/contacts");
    const answered = pages.filter((r) => r.status === 200).map((r) => r.offset);
    expect(answered.sort((a, b) => a - b)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(
      pages
        .filter((r) => r.status === 429)
        .map((r) => r.offset)
        .sort(),
    ).toEqual([1000, 3000]);

    const contact = fakeContact(321, 2);
    const profile = await api.call<{
      ids: { type: string; value: string }[];
      attributes: Record<string, unknown>;
    }>("GET", `/v1/profiles/egoi_contact_id/${contact.base.contact_id}`);
    expect(profile.body.ids).toEqual([
      { type: "egoi_contact_id", value: contact.base.contact_id },
      { type: "email_sha256", value: sha256("contact2.l321@example.com") },
    ]);
    expect(profile.body.attributes).toEqual({
      "egoi.account123.list321.status": contact.base.status,
      "egoi.account123.list321.consent": contact.base.consent,
      "egoi.account123.list321.emailStatus": contact.base.email_status,
    });

    const again = await api.run(importId, {}, 180_000);
    expect(again.stats).toMatchObject({ itemsRead: 5000, added: 0, updated: 0, unchanged: 5000 });
  });

  it("merges contacts into existing profiles with the same e-mail instead of duplicating them", async () => {
    const csv = "email,tier\ncontact1.l400@example.com,gold\n";
    const key = await api.upload("crm.csv", csv);
    const crm = await api.createImport({
      name: "CRM",
      type: "customers",
      format: "csv",
      source: { type: "upload", key },
      options: { userIdField: "email", userIdType: "email", hashUserIds: true },
    });
    expect((await api.run(crm)).stats.added).toBe(1);
    const run = await api.run(await egoiImport(400));
    expect(run.stats).toMatchObject({ itemsRead: 3, updated: 1, added: 2 });
    const profile = await api.call<{ ids: { type: string }[]; attributes: Record<string, unknown> }>(
      "GET",
      "/v1/profiles/email/contact1.l400@example.com",
    );
    expect(profile.body.attributes).toMatchObject({
      tier: "gold",
      "egoi.account123.list400.status": expect.any(String),
    });
    expect(profile.body.ids.map((i) => i.type).sort()).toEqual(["egoi_contact_id", "email_sha256"]);
  });

  it("fails cleanly when the API key is refused, never showing the key", async () => {
    const importId = await egoiImport(400, "revoked-secret-key-value");
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/the E-goi API key was refused/i);
    const seen =
      JSON.stringify(await api.call("GET", `/v1/runs/${run.id}`)) +
      JSON.stringify(await api.call("GET", `/v1/imports/${importId}`));
    expect(seen).not.toContain("revoked-secret-key-value");
    for (const log of stack.server.getLogs())
      expect(JSON.stringify(log)).not.toContain("revoked-secret-key-value");
  });

  it("retries a page that answers 5xx or 408, with backoff, and then imports it once", async () => {
    const run = await api.run(await egoiImport(500), {}, 60_000);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 4, added: 4 });
    const statuses = egoi.state.requests.filter((r) => r.path === "/lists/500/contacts").map((r) => r.status);
    expect(statuses).toEqual([503, 408, 200]);
  });

  it("imports every contact of a list whose pages are shorter than the limit asked for", async () => {
    const run = await api.run(await egoiImport(600), {}, 60_000);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 2500, itemsValid: 2500, added: 2500 });
    const offsets = egoi.state.requests.filter((r) => r.path === "/lists/600/contacts").map((r) => r.offset);
    expect(offsets).toEqual([0, 400, 800, 1200, 1600, 2000, 2400]);
  });

  it("previews the first contacts through the API", async () => {
    const res = await api.call<{ items: { ids: { type: string }[] }[] }>("POST", "/v1/imports/preview", {
      config: {
        type: "customers",
        format: "egoi_contacts",
        source: { type: "egoi", apiKey: "egoi-test-key", listId: 400 },
      },
      limit: 2,
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
  });
});
