import { env } from "cloudflare:workers";
import type { CustomerRecord, LineItem, Order, Product } from "@cdp/core";
import { describe, expect, it } from "vitest";
import {
  enrichEvent,
  getOrder,
  getProduct,
  getProfile,
  writeCustomers,
  writeOrders,
  writeProducts,
} from "../src/index";

const db = (env as unknown as { CDP_DB: D1Database }).CDP_DB;
const scope = (runId: string, tenantId = "acme", dryRun = false) => ({
  tenantId,
  runId,
  dryRun,
  now: `2026-01-01T00:00:0${runId.length % 10}Z`,
});

function lineItem(id: string, status: LineItem["status"] = "fulfilled"): LineItem {
  return {
    id,
    productId: `p-${id}`,
    itemGroupId: null,
    name: "Shirt",
    sku: `sku-${id}`,
    brand: null,
    category: null,
    categoryList: [],
    currency: "EUR",
    total: 10,
    subtotal: 10,
    tax: 0,
    shipping: 0,
    discount: 0,
    refund: 0,
    quantity: 1,
    promotions: [],
    adult: false,
    subscriptionDuration: null,
    size: null,
    sizeSystem: null,
    status,
  };
}

function order(id: string, user: string, lines: LineItem[], extra: Partial<Order> = {}): Order {
  return {
    orderId: id,
    userIdType: "email",
    userId: user,
    currency: "EUR",
    total: 10 * lines.length,
    subtotal: 10 * lines.length,
    tax: 0,
    shipping: 0,
    discount: 0,
    refund: 0,
    paymentMethod: null,
    shippingMethod: null,
    shippingCountry: null,
    promotions: [],
    createdAt: "2026-01-05T10:00:00.000Z",
    lastUpdated: null,
    lineItems: lines,
    ...extra,
  };
}

const rowCount = async (table: string) =>
  (await db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;

describe("orders", () => {
  it("classifies added, updated and unchanged, and a second write changes no row", async () => {
    const first = [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "b@x.com", [lineItem("1"), lineItem("2")]),
    ];
    expect(await writeOrders(db, scope("run_1"), first)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const before = await db
      .prepare("SELECT order_id, updated_at, changed_run FROM orders ORDER BY order_id")
      .all();
    expect(await writeOrders(db, scope("run_2"), first)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(
      (await db.prepare("SELECT order_id, updated_at, changed_run FROM orders ORDER BY order_id").all())
        .results,
    ).toEqual(before.results);
    const changed = [order("o1", "a@x.com", [lineItem("1", "refunded")], { refund: 10 }), first[1] as Order];
    expect(await writeOrders(db, scope("run_3"), changed)).toEqual({ added: 0, updated: 1, unchanged: 1 });
    const o1 = await getOrder(db, "acme", "o1");
    expect(o1?.lineItems.map((l) => l.status)).toEqual(["refunded"]);
    expect(o1?.refund).toBe(10);
  });

  it("reports a replayed chunk exactly as its first delivery", async () => {
    const orders = [order("r1", "r@x.com", [lineItem("1")]), order("r2", "r@x.com", [lineItem("1")])];
    const firstTime = await writeOrders(db, scope("run_r"), orders);
    expect(await writeOrders(db, scope("run_r"), orders)).toEqual(firstTime);
    expect(firstTime).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const updated = [order("r1", "r@x.com", [lineItem("1"), lineItem("2")])];
    const once = await writeOrders(db, scope("run_s"), updated);
    expect(await writeOrders(db, scope("run_s"), updated)).toEqual(once);
    expect(once).toEqual({ added: 0, updated: 1, unchanged: 0 });
  });

  it("writes nothing in a dry run, with the same classification", async () => {
    const rows = await rowCount("orders");
    const orders = [
      order("d1", "d@x.com", [lineItem("1")]),
      order("o2", "b@x.com", [lineItem("1"), lineItem("2")]),
    ];
    expect(await writeOrders(db, scope("run_d", "acme", true), orders)).toEqual({
      added: 1,
      updated: 0,
      unchanged: 1,
    });
    expect(await rowCount("orders")).toBe(rows);
    expect(await getOrder(db, "acme", "d1")).toBeNull();
  });

  it("keeps line items in file order and respects D1's parameter limit with many orders", async () => {
    const many = Array.from({ length: 600 }, (_, i) =>
      order(`m${i}`, `m${i % 40}@x.com`, [lineItem("a"), lineItem("b"), lineItem("c")]),
    );
    expect(await writeOrders(db, scope("run_m"), many)).toEqual({ added: 600, updated: 0, unchanged: 0 });
    expect((await getOrder(db, "acme", "m599"))?.lineItems.map((l) => l.id)).toEqual(["a", "b", "c"]);
  });

  it("keeps tenants apart", async () => {
    await writeOrders(db, scope("run_t", "globex"), [order("o1", "evil@x.com", [lineItem("9")])]);
    expect((await getOrder(db, "acme", "o1"))?.userId).toBe("a@x.com");
    expect((await getOrder(db, "globex", "o1"))?.userId).toBe("evil@x.com");
    expect(await getProfile(db, "globex", "email", "a@x.com")).toBeNull();
  });
});

describe("profiles", () => {
  const record = (ids: [string, string][], attributes: Record<string, unknown>): CustomerRecord => ({
    ids: ids.map(([type, value]) => ({ type, value })),
    attributes,
  });
  const customers = (
    runId: string,
    records: CustomerRecord[],
    mergeStrategy: "merge" | "replace" = "merge",
    dryRun = false,
  ) => writeCustomers(db, { ...scope(runId, "acme", dryRun), mergeStrategy }, records);

  it("creates, merges attributes, and shows the order summary, found by plain or hashed e-mail", async () => {
    expect(
      await customers("run_c1", [record([["email", "Ann@Shop.com"]], { tier: "gold", city: "Porto" })]),
    ).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await customers("run_c2", [record([["email", "ann@shop.com"]], { tier: "silver" })])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    await writeOrders(db, scope("run_c3"), [
      order("ann-1", "ann@shop.com", [lineItem("1")], {
        total: 30,
        refund: 5,
        createdAt: "2026-02-01T00:00:00.000Z",
      }),
      order("ann-2", "ann@shop.com", [lineItem("1")], {
        total: 12.5,
        currency: "USD",
        createdAt: "2026-03-01T00:00:00.000Z",
      }),
    ]);
    const profile = await getProfile(db, "acme", "email", " ANN@shop.com ");
    expect(profile?.attributes).toEqual({ tier: "silver", city: "Porto" });
    expect(profile?.orders).toEqual({
      count: 2,
      revenue: { EUR: 25, USD: 12.5 },
      firstOrderAt: "2026-02-01T00:00:00.000Z",
      lastOrderAt: "2026-03-01T00:00:00.000Z",
    });
  });

  it("finds a profile imported with hashed ids by its plain e-mail", async () => {
    const hash = "a".repeat(64);
    await customers("run_h", [record([["email_sha256", hash]], { x: 1 })]);
    expect(await getProfile(db, "acme", "email_sha256", hash.toUpperCase())).not.toBeNull();
  });

  it("replaces attributes with the replace strategy", async () => {
    await customers("run_p1", [record([["customer_id", "C-1"]], { a: 1, b: 2 })]);
    await customers("run_p2", [record([["customer_id", "C-1"]], { b: 3 })], "replace");
    expect((await getProfile(db, "acme", "customer_id", "C-1"))?.attributes).toEqual({ b: 3 });
  });

  it("merges two profiles when one record's ids point to both", async () => {
    await customers("run_g1", [
      record([["customer_id", "G-1"]], { a: 1 }),
      record([["cookie", "ck-9"]], { b: 2 }),
    ]);
    const profilesBefore = await rowCount("profiles");
    expect(
      await customers("run_g2", [
        record(
          [
            ["customer_id", "G-1"],
            ["cookie", "ck-9"],
          ],
          { c: 3 },
        ),
      ]),
    ).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    expect(await rowCount("profiles")).toBe(profilesBefore - 1);
    const byCookie = await getProfile(db, "acme", "cookie", "ck-9");
    const byCustomer = await getProfile(db, "acme", "customer_id", "G-1");
    expect(byCookie?.id).toBe(byCustomer?.id);
    expect(byCookie?.attributes).toEqual({ a: 1, b: 2, c: 3 });
    expect(byCookie?.ids).toEqual([
      { type: "cookie", value: "ck-9" },
      { type: "customer_id", value: "G-1" },
    ]);
  });

  it("reports the same numbers for a replay, unchanged for another run, and writes nothing in a dry run", async () => {
    const records = [record([["email", "z@x.com"]], { n: 1 }), record([["email", "y@x.com"]], { n: 2 })];
    const first = await customers("run_z", records);
    expect(first).toEqual({ added: 2, updated: 0, unchanged: 0 });
    expect(await customers("run_z", records)).toEqual(first);
    expect(await customers("run_z2", records)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    const before = await rowCount("profiles");
    expect(await customers("run_z3", [record([["email", "new@x.com"]], {})], "merge", true)).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await rowCount("profiles")).toBe(before);
  });
});

describe("products", () => {
  const product = (id: string, extra: Partial<Product> = {}): Product => ({
    id,
    title: `Product ${id}`,
    price: { amount: 15, currency: "USD" },
    brand: "Acme",
    ...extra,
  });

  it("upserts by id and fills events from the catalogue, the event's values winning", async () => {
    expect(await writeProducts(db, scope("run_pr1"), [product("p1"), product("p2")])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(
      await writeProducts(db, scope("run_pr2"), [product("p1", { title: "New" }), product("p2")]),
    ).toEqual({
      added: 0,
      updated: 1,
      unchanged: 1,
    });
    expect((await getProduct(db, "acme", "p1"))?.title).toBe("New");
    const event = await enrichEvent(db, "acme", { type: "productView", product: { id: "p1", price: 10 } });
    expect(event).toEqual({
      type: "productView",
      product: { id: "p1", title: "New", price: 10, brand: "Acme" },
    });
    const unknown = await enrichEvent(db, "acme", { type: "productView", product: { id: "nope" } });
    expect(unknown.product).toEqual({ id: "nope" });
    expect(await getProduct(db, "globex", "p1")).toBeNull();
  });
});
