import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "./support/client";
import { type FileServer, serveFiles } from "./support/file-server";
import { ATOM_FEED, RSS_FEED, shopifyFile, velocidiFile } from "./support/files";
import { type Stack, startStack } from "./support/stack";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let stack: Stack;
let api: ApiClient;
let files: FileServer;
let filesUrl: string;
const served = new Map<string, { body: string; status?: number }>();
const seenHeaders: Record<string, string | undefined>[] = [];

beforeAll(async () => {
  stack = await startStack({ vars: { ingest: { CHUNK_TARGET_BYTES: "1024" } } });
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
  // A real HTTP server for url sources.
  files = await serveFiles(served, {
    contentType: "text/csv",
    intercept: (req) => {
      seenHeaders.push({ authorization: req.headers.authorization });
      return false;
    },
  });
  filesUrl = files.url;
});
afterAll(async () => {
  await stack?.close();
  await files?.close();
});

describe("shopify_csv", () => {
  it("groups continuation rows, reads multi-line notes and keeps Shopify columns under extra", async () => {
    const key = await api.upload("shopify.csv", shopifyFile());
    const importId = await api.createImport({
      name: "Shopify",
      type: "orders",
      format: "shopify_csv",
      source: { type: "upload", key },
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ rowsRead: 3, itemsRead: 2, itemsValid: 2, itemsInvalid: 0, added: 2 });
    const order = await api.call<
      Record<string, unknown> & { lineItems: Record<string, unknown>[]; extra: Record<string, unknown> }
    >("GET", `/v1/orders/${encodeURIComponent("#1001")}`);
    expect(order.body).toMatchObject({
      orderId: "#1001",
      userIdType: "email",
      userId: "Ann@Shop.com",
      total: 54.2,
      createdAt: "2025-12-03T23:59:29.000Z",
    });
    expect(order.body.lineItems.map((l) => [l.name, l.quantity, l.status, l.sku])).toEqual([
      ["Mug, large", 2, "fulfilled", "MUG-L"],
      ["Gift card", 1, "fulfilled", ""],
    ]);
    expect(order.body.extra).toMatchObject({
      "Note Attributes": "gift: yes\nwrap: red",
      "Billing Zip": "75008",
      "Accepts Marketing": true,
      Id: "5501",
    });
    const refunded = await api.call<{ userIdType: string; lineItems: { status: string }[] }>(
      "GET",
      `/v1/orders/${encodeURIComponent("#1002")}`,
    );
    expect(refunded.body.userIdType).toBe("phone");
    expect(refunded.body.lineItems[0]?.status).toBe("refunded");
    const issues = await api.issues(run.id);
    expect(issues.map((i) => [i.row, i.item, i.field, i.severity])).toEqual([
      [4, "#1001", "Lineitem sku", "warning"],
    ]);
  });
});

describe("customers", () => {
  it("imports a CSV with the product description's transformations", async () => {
    const csv =
      "email,number_of_orders,signup,tier\nCleo@Shop.com,1,2021/01/21 14:25,gold\nbob@shop.com,2,2021/02/01 09:00,silver\n";
    const key = await api.upload("customers.csv", csv);
    const importId = await api.createImport({
      name: "CRM",
      type: "customers",
      format: "csv",
      source: { type: "upload", key },
      options: { userIdField: "email", userIdType: "email", hashUserIds: true },
      transformations: [
        {
          op: "copy",
          from: "number_of_orders",
          to: "ordersText",
          values: [
            {
              type: "map",
              mappings: [
                { from: "1", to: "one" },
                { from: "2", to: "two" },
              ],
            },
          ],
        },
        {
          op: "rename",
          from: "number_of_orders",
          to: "completedOrders",
          values: [{ type: "cast", to: "integer" }],
        },
        {
          op: "copy",
          from: "signup",
          to: "signupAt",
          values: [{ type: "timestamp", pattern: "yyyy/MM/dd hh:mm" }],
        },
        { op: "add", field: "source", value: "crm" },
        { op: "delete", field: "signup" },
      ],
    });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ itemsRead: 2, itemsValid: 2, added: 2 });
    const profile = await api.call<{
      ids: { type: string; value: string }[];
      attributes: Record<string, unknown>;
    }>("GET", "/v1/profiles/email/cleo@shop.com");
    expect(profile.body.ids).toEqual([{ type: "email_sha256", value: sha256("cleo@shop.com") }]);
    expect(profile.body.attributes).toEqual({
      ordersText: "one",
      completedOrders: 1,
      signupAt: "2021-01-21T14:25:00Z",
      tier: "gold",
      source: "crm",
    });
  });

  it("imports JSON lines with their own types, and reports a broken line", async () => {
    const jsonl =
      '{"customer":"C-1","points":12,"vip":true,"address":{"city":"Porto"}}\n{broken\n{"customer":"C-2","points":3}\n';
    const key = await api.upload("customers.jsonl", jsonl);
    const importId = await api.createImport({
      name: "Loyalty",
      type: "customers",
      format: "jsonl",
      source: { type: "upload", key },
      options: { userIdField: "customer", userIdType: "customer_id" },
    });
    const run = await api.run(importId);
    expect(run.stats).toMatchObject({ rowsRead: 3, itemsRead: 3, itemsValid: 2, itemsInvalid: 1 });
    expect((await api.issues(run.id)).map((i) => [i.row, i.code])).toEqual([[2, "invalid_json"]]);
    const profile = await api.call<{ attributes: Record<string, unknown> }>(
      "GET",
      "/v1/profiles/customer_id/C-1",
    );
    expect(profile.body.attributes).toEqual({ points: 12, vip: true, address: { city: "Porto" } });
  });
});

describe("products", () => {
  it("imports RSS and Atom feeds, then enriches a product event", async () => {
    for (const [format, feed] of [
      ["google_rss", RSS_FEED],
      ["google_atom", ATOM_FEED],
    ] as const) {
      const key = await api.upload(`${format}.xml`, feed);
      const importId = await api.createImport({
        name: format,
        type: "products",
        format,
        source: { type: "upload", key },
      });
      const run = await api.run(importId);
      expect(run.error, format).toBeNull();
    }
    const mug = await api.call<Record<string, unknown>>("GET", "/v1/products/p1");
    expect(mug.body).toMatchObject({
      id: "p1",
      title: "Blue mug",
      description: "A mug & a saucer",
      price: { amount: 15, currency: "USD" },
      brand: "Acme",
    });
    expect((await api.call("GET", "/v1/products/p2")).status).toBe(404);
    const cap = await api.call<Record<string, unknown>>("GET", "/v1/products/p3");
    expect(cap.body).toMatchObject({
      title: "Red cap",
      link: "https://shop.example/p3",
      description: "A cap",
      availability: "preorder",
    });
    const event = await api.call("POST", "/v1/events/enrich", {
      type: "productView",
      product: { id: "p1", price: 10 },
    });
    expect(event.body).toEqual({
      type: "productView",
      product: expect.objectContaining({
        id: "p1",
        price: 10,
        title: "Blue mug",
        brand: "Acme",
        link: "https://shop.example/p1",
      }),
    });
  });
});

describe("an http(s) source", () => {
  it("fetches the file with its headers, lands it in R2 and imports it", async () => {
    served.set("/orders.csv", { body: velocidiFile(12) });
    const importId = await api.createImport({
      name: "Nightly",
      type: "orders",
      format: "velocidi_csv",
      source: {
        type: "url",
        url: `${filesUrl}/orders.csv`,
        headers: { Authorization: "Bearer file-server-token" },
      },
    });
    const run = await api.run(importId);
    expect(run.error).toBeNull();
    expect(run.stats).toMatchObject({ itemsRead: 12, itemsValid: 12, added: 12 });
    expect(seenHeaders.at(-1)).toEqual({ authorization: "Bearer file-server-token" });
    const env = await stack.server.getWorker("cdp-ingest").getEnv();
    const landed = await (env.FILES as R2Like).list({ prefix: "tenants/acme/runs/" });
    expect(landed.objects.map((o) => o.key)).toContain(`tenants/acme/runs/${run.id}/source`);
  });

  it("fails with the host and status when the server answers an error, and 404 says so", async () => {
    served.set("/broken.csv", { body: "oops", status: 503 });
    const broken = await api.createImport({
      name: "B",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: `${filesUrl}/broken.csv` },
    });
    const run = await api.run(broken);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toContain(`127.0.0.1:${new URL(filesUrl).port} answered 503`);
    const missing = await api.createImport({
      name: "M",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: `${filesUrl}/nope.csv` },
    });
    const notFound = await api.run(missing);
    expect(notFound.error).toMatchObject({ code: "source_not_found" });
    expect(notFound.error?.message).toContain("404");
  });

  it("fails when the host cannot be reached", async () => {
    const importId = await api.createImport({
      name: "U",
      type: "orders",
      format: "velocidi_csv",
      source: { type: "url", url: "http://127.0.0.1:9/x.csv" },
    });
    const run = await api.run(importId);
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("source_unreachable");
    expect(run.error?.message).toContain("127.0.0.1:9");
  });
});

interface R2Like {
  list(options: { prefix: string }): Promise<{ objects: { key: string }[] }>;
}
