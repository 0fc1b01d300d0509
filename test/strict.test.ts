import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type IssueView } from "./support/client";
import { SHOPIFY_HEADER, shopifyRow, VELOCIDI_HEADER, velocidiRow } from "./support/files";
import { type Stack, startStack } from "./support/stack";

// Nothing a user writes or uploads is silently dropped, merged or misread: each case through the
// public API of the whole stack, as a user would meet it.

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
});

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { path: string; message: string; suggestion?: string }[];
  };
}

async function importOf(filename: string, content: string, config: Record<string, unknown>) {
  const key = await api.upload(filename, content);
  return api.createImport({ name: filename, source: { type: "upload", key }, ...config });
}

const issueRows = (issues: IssueView[]) => issues.map((i) => [i.row, i.item, i.field, i.code, i.severity]);

describe("Shopify orders without an e-mail", () => {
  it("imports a point-of-sale order without a buyer: readable, counted in added, on no profile", async () => {
    const order = {
      "Financial Status": "paid",
      Currency: "EUR",
      Subtotal: "8.00",
      Total: "8.00",
      "Discount Amount": "0.00",
      "Refunded Amount": "0.00",
      "Lineitem quantity": "1",
      "Lineitem price": "8.00",
      "Lineitem fulfillment status": "fulfilled",
      "Lineitem discount": "0.00",
    };
    const file = [
      SHOPIFY_HEADER,
      shopifyRow({
        ...order,
        Name: "#3001",
        Email: "ann@shop.com",
        Id: "7001",
        "Created at": "2026-02-01 10:00:00 +0000",
        "Lineitem name": "Pen",
        "Lineitem sku": "PEN",
      }),
      shopifyRow({
        ...order,
        Name: "#3002",
        Id: "7002",
        "Created at": "2026-02-02 12:00:00 +0000",
        "Lineitem name": "Card",
        "Lineitem sku": "CARD",
        Source: "pos",
      }),
    ].join("\n");
    const importId = await importOf("shopify-pos.csv", file, { type: "orders", format: "shopify_csv" });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ itemsRead: 2, itemsValid: 2, itemsInvalid: 0, added: 2 });
    expect(await api.issues(run.id)).toEqual([]);

    const guest = await api.call<Record<string, unknown>>("GET", `/v1/orders/${encodeURIComponent("#3002")}`);
    expect(guest.status).toBe(200);
    expect(guest.body).toMatchObject({ orderId: "#3002", userIdType: null, userId: null, total: 8 });
    // Only the buyer of #3001 has the order; no profile holds the guest order.
    const ann = await api.call<{ orders: { count: number } }>("GET", "/v1/profiles/email/ann@shop.com");
    expect(ann.body.orders.count).toBe(1);
  });
});

describe("continuation rows that contradict their order", () => {
  it("reports a row whose orderId went missing instead of merging another customer's line item", async () => {
    const rows = [
      velocidiRow({ id: "or1", email: "ann@shop.com" }, 1),
      velocidiRow({ id: "or1", email: "ann@shop.com" }, 2),
      // Its orderId is missing: another customer, another day, and a line item id of or1's.
      velocidiRow({ id: "", email: "bob@shop.com", createdAt: "2020-10-02T09:00:00Z" }, 1),
      velocidiRow({ id: "or2", email: "cy@shop.com" }, 1),
    ];
    const importId = await importOf("orders-lost-id.csv", [VELOCIDI_HEADER, ...rows].join("\n"), {
      type: "orders",
      format: "velocidi_csv",
    });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ itemsRead: 2, itemsValid: 1, itemsInvalid: 1, added: 1 });
    const issues = await api.issues(run.id);
    expect(issueRows(issues)).toEqual([
      [4, "or1", "userId", "conflicting_value", "error"],
      [4, "or1", "createdAt", "conflicting_value", "error"],
      [4, "or1", "lineItem_id", "duplicate_line_item", "error"],
    ]);
    expect(issues[0]?.value).toBe("bob@shop.com");
    expect(issues[0]?.message).toContain('its "userId" is "bob@shop.com", not "ann@shop.com" as on row 2');
    expect((await api.call("GET", "/v1/orders/or1")).status).toBe(404);
    expect((await api.call("GET", "/v1/orders/or2")).status).toBe(200);
    expect((await api.call("GET", "/v1/profiles/email/bob@shop.com")).status).toBe(404);
  });

  it("hashes an e-mail whose id type is written Email, as hashUserIds asks", async () => {
    const row = velocidiRow({ id: "h1", email: "Ann@Shop.com" }, 1).replace(",email,", ",Email,");
    const importId = await importOf("orders-Email.csv", [VELOCIDI_HEADER, row].join("\n"), {
      type: "orders",
      format: "velocidi_csv",
      options: { hashUserIds: true },
    });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ itemsValid: 1, added: 1 });
    const order = await api.call<{ userIdType: string; userId: string }>("GET", "/v1/orders/h1");
    expect(order.body.userIdType).toBe("email_sha256");
    expect(order.body.userId).toBe(createHash("sha256").update("ann@shop.com").digest("hex"));
  });

  it("gives non_contiguous_order the order id field, in JSON and in the CSV download, naming a renamed column", async () => {
    const header = VELOCIDI_HEADER.replace("orderId", "Order Number");
    const rows = [
      velocidiRow({ id: "or1", email: "a@shop.com" }, 1),
      velocidiRow({ id: "or2", email: "b@shop.com" }, 1),
      velocidiRow({ id: "or1", email: "a@shop.com" }, 2),
    ];
    const importId = await importOf("orders-apart.csv", [header, ...rows].join("\n"), {
      type: "orders",
      format: "velocidi_csv",
      transformations: [{ op: "rename", from: "Order Number", to: "orderId" }],
    });
    const run = await api.run(importId);
    const issues = await api.issues(run.id);
    expect(issueRows(issues)).toEqual([[4, "or1", "orderId", "non_contiguous_order", "error"]]);
    expect(issues[0]?.message).toContain('its orderId (column "Order Number") appeared earlier');
    const csv = await api.call<string>("GET", `/v1/runs/${run.id}/issues?format=csv`);
    expect(csv.text.split("\r\n")[1]).toMatch(/^4,or1,orderId,non_contiguous_order,error,/);
  });
});

describe("a preview names what a header would drop", () => {
  it("warns of a column the format ignores though it is close to one it reads, and of a rename of no column", async () => {
    const file = [
      VELOCIDI_HEADER.replace("lineItem_name", "lineItem_nmae"),
      velocidiRow({ id: "w1", email: "a@b.co" }, 1),
    ];
    const key = await api.upload("typo.csv", file.join("\n"));
    const preview = await api.call<{ items: unknown[]; issues: IssueView[] }>("POST", "/v1/imports/preview", {
      config: {
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key },
        transformations: [{ op: "rename", from: "Order Date", to: "createdAt" }],
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.items).toHaveLength(1);
    expect(issueRows(preview.body.issues)).toEqual([
      [1, null, "Order Date", "unknown_column", "warning"],
      [1, null, "lineItem_nmae", "unknown_column", "warning"],
    ]);
    expect(preview.body.issues[1]?.message).toContain('Did you mean "lineItem_name"?');
  });
});

describe("requests are strict", () => {
  let importId: string;
  beforeAll(async () => {
    importId = await importOf(
      "orders.csv",
      [VELOCIDI_HEADER, velocidiRow({ id: "o1", email: "a@b.co" }, 1)].join("\n"),
      {
        type: "orders",
        format: "velocidi_csv",
      },
    );
  });
  const runs = async () =>
    (await api.call<{ items: unknown[] }>("GET", `/v1/imports/${importId}/runs`)).body.items.length;

  it('refuses {"dry_run": true} naming dryRun, and starts no run', async () => {
    const before = await runs();
    const res = await api.call<ErrorBody>("POST", `/v1/imports/${importId}/runs`, { dry_run: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "unknown_field",
      details: [{ path: "dry_run", suggestion: "dryRun" }],
    });
    expect(await runs()).toBe(before);
  });

  it("refuses options.hashUserIDs and schedual, naming what was meant, and stores nothing", async () => {
    const key = await api.upload("more.csv", VELOCIDI_HEADER);
    const base = { name: "More", type: "orders", format: "velocidi_csv", source: { type: "upload", key } };
    const hashed = await api.call<ErrorBody>("POST", "/v1/imports", {
      ...base,
      options: { hashUserIDs: true },
    });
    expect(hashed.status).toBe(400);
    expect(hashed.body.error.details).toEqual([
      expect.objectContaining({ path: "options.hashUserIDs", suggestion: "hashUserIds" }),
    ]);
    const scheduled = await api.call<ErrorBody>("POST", "/v1/imports", {
      ...base,
      schedual: { everyDays: 1, startAt: "2026-12-01T02:00:00Z" },
    });
    expect(scheduled.body.error).toMatchObject({
      code: "unknown_field",
      details: [{ path: "schedual", suggestion: "schedule" }],
    });
    const list = await api.call<{ items: { name: string }[] }>("GET", "/v1/imports");
    expect(list.body.items.map((i) => i.name)).not.toContain("More");
  });

  it("refuses on create and on PATCH a timestamp pattern a run could not read", async () => {
    const transformations = [
      { op: "rename", from: "when", to: "createdAt", values: [{ type: "timestamp", pattern: "qqq" }] },
    ];
    const patched = await api.call<ErrorBody>("PATCH", `/v1/imports/${importId}`, { transformations });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details?.map((d) => d.path)).toEqual(["transformations.0.values.0.pattern"]);
    const stored = await api.call<{ transformations: unknown[] }>("GET", `/v1/imports/${importId}`);
    expect(stored.body.transformations).toEqual([]);
  });

  it("answers a body without Content-Type: application/json with 415, and says what is required", async () => {
    const res = await fetch(new URL(`/v1/imports/${importId}/runs`, stack.url), {
      method: "POST",
      headers: { authorization: "Bearer key_acme" },
      body: JSON.stringify({ dryRun: true }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      error: {
        code: "unsupported_media_type",
        message: expect.stringContaining("Content-Type: application/json"),
      },
    });
    const missing = await api.call<ErrorBody>("POST", "/v1/uploads", {});
    expect(missing.body.error.details).toEqual([{ path: "filename", message: "is required" }]);
  });
});

describe("quotes inside unquoted fields", () => {
  it('imports 12" pizza as written, with a stray_quote warning that counts nothing invalid', async () => {
    const rows = [
      velocidiRow({ id: "p1", email: "a@shop.com", name: '12" pizza' }, 1),
      velocidiRow({ id: "p2", email: "b@shop.com" }, 1),
    ];
    const importId = await importOf("pizza.csv", [VELOCIDI_HEADER, ...rows].join("\n"), {
      type: "orders",
      format: "velocidi_csv",
    });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ itemsValid: 2, itemsInvalid: 0, added: 2 });
    expect(issueRows(await api.issues(run.id))).toEqual([[2, "p1", null, "stray_quote", "warning"]]);
    const order = await api.call<{ lineItems: { name: string }[] }>("GET", "/v1/orders/p1");
    expect(order.body.lineItems[0]?.name).toBe('12" pizza');
  });

  it("previews every case of csv-spectrum's corpus as its records", async () => {
    const root = dirname(createRequire(import.meta.url).resolve("csv-spectrum/package.json"));
    const names = readdirSync(join(root, "csvs")).map((f) => f.replace(/\.csv$/, ""));
    expect(names).toHaveLength(12);
    for (const name of names) {
      const text = readFileSync(join(root, "csvs", `${name}.csv`), "utf8");
      const json = JSON.parse(readFileSync(join(root, "json", `${name}.json`), "utf8"));
      // location_coordinates' JSON gives another phone number than its CSV (a corpus erratum).
      const expected = (Array.isArray(json) ? json : [json]).map((r: Record<string, string>) =>
        name === "location_coordinates" ? { ...r, "Contact Phone Number": "2095257564" } : r,
      );
      const idField = text.slice(0, text.search(/[,\r\n]/));
      const key = await api.upload(`${name}.csv`, text);
      const preview = await api.call<{
        items: { attributes: Record<string, string> }[];
        issues: IssueView[];
      }>("POST", "/v1/imports/preview", {
        config: {
          type: "customers",
          format: "csv",
          source: { type: "upload", key },
          options: { userIdField: idField, userIdType: "customer_id" },
        },
      });
      expect(preview.status, `${name}: ${preview.text}`).toBe(200);
      expect(
        preview.body.items.map((item) => item.attributes),
        name,
      ).toEqual(expected.map(({ [idField]: _, ...attributes }) => attributes));
      expect(issueRows(preview.body.issues), name).toEqual(
        name === "location_coordinates" ? [[2, "2095257564", null, "stray_quote", "warning"]] : [],
      );
    }
  });
});
