import { env } from "cloudflare:workers";
import { type CustomerRecord, type LineItem, type Order, type Product, sha256Hex } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { STATEMENT_PAYLOAD_BYTES, STATEMENTS_PER_BATCH } from "../src/cdp/common";
import {
  enrichEvent,
  getOrder,
  getProduct,
  getProfile,
  writeCustomers,
  writeOrders,
  writeProducts,
} from "../src/cdp/index";
import type { Db } from "../src/db";

const db = (env as unknown as { CDP_DB: D1Database }).CDP_DB;

let clock = 0;
/** A write scope; every call gets a later `now`, so that any rewritten row would show it. */
function scope(tenantId: string, runId: string, dryRun = false) {
  clock++;
  return { tenantId, runId, dryRun, now: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString() };
}

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

const record = (ids: [string, string][], attributes: Record<string, unknown>): CustomerRecord => ({
  ids: ids.map(([type, value]) => ({ type, value })),
  attributes,
});

const customers = (
  tenantId: string,
  runId: string,
  records: CustomerRecord[],
  options: { mergeStrategy?: "merge" | "replace"; dryRun?: boolean } = {},
) =>
  writeCustomers(
    db,
    { ...scope(tenantId, runId, options.dryRun), mergeStrategy: options.mergeStrategy ?? "merge" },
    records,
  );

const TABLES = {
  profiles: "id",
  profile_ids: "id_type, id_value",
  orders: "order_id",
  line_items: "order_id, position",
  products: "product_id",
};

/** Every row a tenant has, in every table: equal snapshots mean nothing was written. */
async function snapshot(tenantId: string) {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES))
    out[table] = (
      await db.prepare(`SELECT * FROM ${table} WHERE tenant_id = ?1 ORDER BY ${order}`).bind(tenantId).all()
    ).results;
  return out;
}

const rowCount = async (table: keyof typeof TABLES, tenantId: string) =>
  (
    await db
      .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?1`)
      .bind(tenantId)
      .first<{ n: number }>()
  )?.n ?? 0;

/**
 * The database, recording every statement's bound parameters and size and every round trip,
 * to check D1's limits and that writes go in bulk.
 */
function recordingDb() {
  // D1 limits the SQL text to 100,000 bytes and each bound string to 2,000,000 bytes.
  const statements: { sql: string; params: number; sqlBytes: number; largestParamBytes: number }[] = [];
  let batches = 0;
  let statementsInLargestBatch = 0;
  let bytesInLargestBatch = 0;
  const boundBytes = new WeakMap<object, number>();
  const spy: Db = {
    prepare(sql: string) {
      const statement = db.prepare(sql);
      return new Proxy(statement, {
        get(target, prop) {
          if (prop === "bind")
            return (...params: unknown[]) => {
              const size = (text: string) => new TextEncoder().encode(text).length;
              const paramBytes = params.map((param) => size(String(param)));
              statements.push({
                sql,
                params: params.length,
                sqlBytes: size(sql),
                largestParamBytes: Math.max(0, ...paramBytes),
              });
              const bound = target.bind(...params);
              boundBytes.set(bound, size(sql) + paramBytes.reduce((a, b) => a + b, 0));
              return bound;
            };
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    batch(list) {
      batches++;
      statementsInLargestBatch = Math.max(statementsInLargestBatch, list.length);
      const bytes = list.reduce((sum, statement) => sum + (boundBytes.get(statement) ?? 0), 0);
      bytesInLargestBatch = Math.max(bytesInLargestBatch, bytes);
      return db.batch(list);
    },
  };
  return {
    db: spy,
    statements,
    get batches() {
      return batches;
    },
    get statementsInLargestBatch() {
      return statementsInLargestBatch;
    },
    get bytesInLargestBatch() {
      return bytesInLargestBatch;
    },
  };
}

describe("writing orders", () => {
  it("classifies added, updated and unchanged; writing the same orders again changes no row", async () => {
    const t = "orders-classify";
    const first = [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "b@x.com", [lineItem("1"), lineItem("2")]),
    ];
    expect(await writeOrders(db, scope(t, "run_1"), first)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const afterFirst = await snapshot(t);
    expect(await writeOrders(db, scope(t, "run_2"), first)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(await snapshot(t)).toEqual(afterFirst);

    const changed = [
      order("o1", "a@x.com", [lineItem("1")], { total: 12 }),
      ...first.slice(1),
      order("o3", "c@x.com", []),
    ];
    expect(await writeOrders(db, scope(t, "run_3"), changed)).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect((await getOrder(db, t, "o1"))?.total).toBe(12);
    const o2 = await db
      .prepare("SELECT changed_run, updated_at FROM orders WHERE tenant_id = ?1 AND order_id = 'o2'")
      .bind(t)
      .first();
    expect(o2).toEqual({
      changed_run: "run_1",
      updated_at: (afterFirst.orders?.[1] as { updated_at?: string } | undefined)?.updated_at,
    });
  });

  it("classifies an order whose only change is in one line item, or in their order, as updated", async () => {
    const t = "orders-line-change";
    const base = order("o1", "a@x.com", [lineItem("1"), lineItem("2")]);
    await writeOrders(db, scope(t, "run_1"), [base]);
    const quantity = order("o1", "a@x.com", [lineItem("1"), { ...lineItem("2"), quantity: 3 }]);
    expect(await writeOrders(db, scope(t, "run_2"), [quantity])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    const swapped = order("o1", "a@x.com", [{ ...lineItem("2"), quantity: 3 }, lineItem("1")]);
    expect(await writeOrders(db, scope(t, "run_3"), [swapped])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    expect((await getOrder(db, t, "o1"))?.lineItems.map((li) => li.id)).toEqual(["2", "1"]);
    expect(await writeOrders(db, scope(t, "run_4"), [swapped])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it("reports a redelivered chunk exactly as its first delivery, and changes nothing more", async () => {
    const t = "orders-replay";
    await writeOrders(db, scope(t, "run_0"), [
      order("kept", "k@x.com", [lineItem("1")]),
      order("old", "k@x.com", []),
    ]);
    const chunk = [
      order("new", "n@x.com", [lineItem("1")]),
      order("old", "k@x.com", [lineItem("1")]),
      order("kept", "k@x.com", [lineItem("1")]),
    ];
    const firstDelivery = await writeOrders(db, scope(t, "run_1"), chunk);
    expect(firstDelivery).toEqual({ added: 1, updated: 1, unchanged: 1 });
    const afterFirst = await snapshot(t);
    expect(await writeOrders(db, scope(t, "run_1"), chunk)).toEqual(firstDelivery);
    expect(await snapshot(t)).toEqual(afterFirst);
  });

  it("reports a chunk redelivered after a partial write as a clean first delivery would", async () => {
    const t = "orders-partial";
    const chunk = Array.from({ length: 6 }, (_, i) => order(`o${i}`, "p@x.com", [lineItem("1")]));
    // The first delivery wrote half its orders before the consumer crashed.
    await writeOrders(db, scope(t, "run_1"), chunk.slice(0, 3));
    expect(await writeOrders(db, scope(t, "run_1"), chunk)).toEqual({ added: 6, updated: 0, unchanged: 0 });
    expect(await rowCount("orders", t)).toBe(6);
  });

  it("stores the last version of an order given twice in one call, and replays it the same", async () => {
    const t = "orders-twice";
    const v0 = order("o1", "a@x.com", [lineItem("1")]);
    await writeOrders(db, scope(t, "run_0"), [v0]);
    const chunk = [order("o1", "a@x.com", [lineItem("1", "cancelled")]), v0];
    const firstDelivery = await writeOrders(db, scope(t, "run_1"), chunk);
    expect(firstDelivery).toEqual({ added: 0, updated: 2, unchanged: 0 });
    expect((await getOrder(db, t, "o1"))?.lineItems[0]?.status).toBe("fulfilled");
    expect(await writeOrders(db, scope(t, "run_1"), chunk)).toEqual(firstDelivery);
  });

  it("classifies a dry run as the real run, and writes nothing, not even profiles", async () => {
    const t = "orders-dry";
    await writeOrders(db, scope(t, "run_0"), [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "a@x.com", []),
    ]);
    const chunk = [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "a@x.com", [lineItem("9")]),
      order("o3", "new@x.com", [lineItem("1")]),
    ];
    const before = await snapshot(t);
    const dry = await writeOrders(db, scope(t, "run_dry", true), chunk);
    expect(await snapshot(t)).toEqual(before);
    expect(await getProfile(db, t, "email", "new@x.com")).toBeNull();
    expect(dry).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect(await writeOrders(db, scope(t, "run_real"), chunk)).toEqual(dry);
  });

  it("replaces the line items of an order re-imported as cancelled, keeping file order", async () => {
    const t = "orders-cancel";
    await writeOrders(db, scope(t, "run_1"), [
      order("o1", "a@x.com", [lineItem("c"), lineItem("a"), lineItem("b")]),
    ]);
    expect((await getOrder(db, t, "o1"))?.lineItems.map((l) => l.id)).toEqual(["c", "a", "b"]);
    const cancelled = order("o1", "a@x.com", [lineItem("c", "cancelled"), lineItem("a", "cancelled")], {
      refund: 20,
    });
    expect(await writeOrders(db, scope(t, "run_2"), [cancelled])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    expect(await getOrder(db, t, "o1")).toEqual(cancelled);
    expect(await rowCount("line_items", t)).toBe(2);
    // Fully refunded: the profile's revenue shows it.
    expect((await getProfile(db, t, "email", "a@x.com"))?.orders.revenue).toEqual({ EUR: 0 });
  });

  it("writes 1,000 orders of 3 line items in one call within D1's limits, in a few round trips", async () => {
    const t = "orders-bulk";
    const many = Array.from({ length: 1000 }, (_, i) =>
      order(`m${i}`, `buyer${i % 250}@x.com`, [lineItem("a"), lineItem("b"), lineItem("c")]),
    );
    const spy = recordingDb();
    const started = performance.now();
    expect(await writeOrders(spy.db, scope(t, "run_m"), many)).toEqual({
      added: 1000,
      updated: 0,
      unchanged: 0,
    });
    const elapsed = performance.now() - started;
    console.log(
      `1,000 orders × 3 line items: ${elapsed.toFixed(0)} ms, ${spy.statements.length} statements in ${spy.batches} round trips`,
    );
    expect(elapsed).toBeLessThan(5000);
    expect(Math.max(...spy.statements.map((s) => s.params))).toBeLessThanOrEqual(100);
    expect(Math.max(...spy.statements.map((s) => s.sqlBytes))).toBeLessThanOrEqual(100_000);
    expect(Math.max(...spy.statements.map((s) => s.largestParamBytes))).toBeLessThanOrEqual(2_000_000);
    // One read, then the writes: no round trip per order.
    expect(spy.batches).toBeLessThanOrEqual(3);

    expect(await rowCount("orders", t)).toBe(1000);
    expect(await rowCount("line_items", t)).toBe(3000);
    expect(await rowCount("profiles", t)).toBe(250);
    expect((await getOrder(db, t, "m999"))?.lineItems.map((l) => l.id)).toEqual(["a", "b", "c"]);
    expect((await getProfile(db, t, "email", "buyer7@x.com"))?.orders.count).toBe(4);

    const again = recordingDb();
    expect(await writeOrders(again.db, scope(t, "run_n"), many)).toEqual({
      added: 0,
      updated: 0,
      unchanged: 1000,
    });
    expect(again.batches).toBe(1);
  });

  it("splits rows that pass one statement's payload over several statements, each within D1's limits", async () => {
    const t = "orders-split";
    // 300 orders of two ~4 KB line items: about 2.5 MB of line items, more than one statement takes.
    const many = Array.from({ length: 300 }, (_, i) =>
      order(`s${i}`, `buyer${i}@x.com`, [
        { ...lineItem("a"), name: `${i} ${"wide ".repeat(800)}` },
        { ...lineItem("b"), name: `${i} ${"é".repeat(4000)}` },
      ]),
    );
    const spy = recordingDb();
    expect(await writeOrders(spy.db, scope(t, "run_s"), many)).toEqual({
      added: 300,
      updated: 0,
      unchanged: 0,
    });
    const inserts = spy.statements.filter((s) => s.sql.startsWith("INSERT INTO line_items"));
    expect(inserts.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...inserts.map((s) => s.largestParamBytes))).toBeLessThanOrEqual(
      STATEMENT_PAYLOAD_BYTES + 2,
    );
    expect(await rowCount("line_items", t)).toBe(600);
    expect((await getOrder(db, t, "s299"))?.lineItems[1]?.name).toBe(`299 ${"é".repeat(4000)}`);
  });

  it("keeps tenants apart: the same order ids in another tenant are its own", async () => {
    const a = "orders-tenant-a";
    const b = "orders-tenant-b";
    await writeOrders(db, scope(a, "run_a"), [order("o1", "ann@x.com", [lineItem("1")])]);
    const beforeA = await snapshot(a);
    expect(
      await writeOrders(db, scope(b, "run_b"), [order("o1", "ann@x.com", [lineItem("1"), lineItem("2")])]),
    ).toEqual({ added: 1, updated: 0, unchanged: 0 });
    expect(await snapshot(a)).toEqual(beforeA);
    expect((await getOrder(db, a, "o1"))?.lineItems).toHaveLength(1);
    expect((await getOrder(db, b, "o1"))?.lineItems).toHaveLength(2);
    expect((await getProfile(db, a, "email", "ann@x.com"))?.orders.count).toBe(1);
    expect(await getOrder(db, "orders-tenant-c", "o1")).toBeNull();
    expect(await getProfile(db, "orders-tenant-c", "email", "ann@x.com")).toBeNull();
  });
});

describe("writing customers", () => {
  it("classifies added, updated and unchanged; the same file again changes no row", async () => {
    const t = "customers-classify";
    const file = [
      record([["email", "Ann@Shop.com"]], { tier: "gold" }),
      record([["customer_id", "C-1"]], { tier: "silver" }),
    ];
    expect(await customers(t, "run_1", file)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const afterFirst = await snapshot(t);
    expect(await customers(t, "run_2", file)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(await snapshot(t)).toEqual(afterFirst);
    expect(
      await customers(t, "run_3", [
        record([["email", "ann@shop.com"]], { tier: "platinum" }),
        ...file.slice(1),
      ]),
    ).toEqual({ added: 0, updated: 1, unchanged: 1 });
    expect((await getProfile(db, t, "email", "ann@shop.com"))?.attributes).toEqual({ tier: "platinum" });
  });

  it("reports a redelivered chunk as its first delivery, and changes nothing more", async () => {
    const t = "customers-replay";
    await customers(t, "run_0", [record([["email", "old@x.com"]], { n: 0 })]);
    const chunk = [record([["email", "new@x.com"]], { n: 1 }), record([["email", "old@x.com"]], { n: 2 })];
    const firstDelivery = await customers(t, "run_1", chunk);
    expect(firstDelivery).toEqual({ added: 1, updated: 1, unchanged: 0 });
    const afterFirst = await snapshot(t);
    expect(await customers(t, "run_1", chunk)).toEqual(firstDelivery);
    expect(await snapshot(t)).toEqual(afterFirst);
  });

  it("classifies a dry run as the real run, and writes nothing", async () => {
    const t = "customers-dry";
    await customers(t, "run_0", [
      record([["email", "a@x.com"]], { n: 1 }),
      record([["cookie", "ck"]], { m: 1 }),
    ]);
    const chunk = [
      record([["email", "a@x.com"]], { n: 1 }),
      record([["email", "b@x.com"]], {}),
      // Links two existing profiles: a dry run must not merge them.
      record(
        [
          ["email", "a@x.com"],
          ["cookie", "ck"],
        ],
        {},
      ),
    ];
    const before = await snapshot(t);
    const dry = await customers(t, "run_dry", chunk, { dryRun: true });
    expect(await snapshot(t)).toEqual(before);
    expect(dry).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect(await customers(t, "run_real", chunk)).toEqual(dry);
  });

  it("keeps attributes the file does not mention with the merge strategy, and drops them with replace", async () => {
    const t = "customers-strategy";
    await customers(t, "run_1", [
      record([["customer_id", "C-1"]], { a: 1, b: 2 }),
      record([["customer_id", "C-2"]], { a: 1, b: 2 }),
    ]);
    await customers(t, "run_2", [record([["customer_id", "C-1"]], { b: 3 })], { mergeStrategy: "merge" });
    await customers(t, "run_3", [record([["customer_id", "C-2"]], { b: 3 })], { mergeStrategy: "replace" });
    expect((await getProfile(db, t, "customer_id", "C-1"))?.attributes).toEqual({ a: 1, b: 3 });
    expect((await getProfile(db, t, "customer_id", "C-2"))?.attributes).toEqual({ b: 3 });
  });

  it("merges two profiles when a record's ids point to both: ids, attributes and orders move to the older", async () => {
    const t = "customers-merge";
    await customers(t, "run_1", [record([["customer_id", "G-1"]], { tier: "old", city: "Porto" })]);
    await customers(t, "run_2", [record([["cookie", "ck-9"]], { tier: "newer", device: "ios" })]);
    await writeOrders(db, scope(t, "run_o"), [
      order("o1", "G-1", [lineItem("1")], { userIdType: "customer_id" }),
      order("o2", "ck-9", [lineItem("1")], { userIdType: "cookie", total: 5 }),
    ]);
    const older = await getProfile(db, t, "customer_id", "G-1");
    const newer = await getProfile(db, t, "cookie", "ck-9");
    expect(older?.id).not.toBe(newer?.id);

    const chunk = [
      record(
        [
          ["cookie", "ck-9"],
          ["customer_id", "G-1"],
          ["email", "g@x.com"],
        ],
        { device: "android" },
      ),
    ];
    expect(await customers(t, "run_3", chunk)).toEqual({ added: 0, updated: 1, unchanged: 0 });
    const merged = await getProfile(db, t, "cookie", "ck-9");
    expect(merged?.id).toBe(older?.id);
    expect((await getProfile(db, t, "email", "g@x.com"))?.id).toBe(older?.id);
    expect(merged?.ids).toEqual([
      { type: "cookie", value: "ck-9" },
      { type: "customer_id", value: "G-1" },
      { type: "email", value: "g@x.com" },
    ]);
    // The newer profile wins over the older one, the record over both.
    expect(merged?.attributes).toEqual({ tier: "newer", city: "Porto", device: "android" });
    expect(merged?.orders).toMatchObject({ count: 2, revenue: { EUR: 15 } });
    expect(await rowCount("profiles", t)).toBe(1);

    const afterMerge = await snapshot(t);
    expect(await customers(t, "run_3", chunk)).toEqual({ added: 0, updated: 1, unchanged: 0 });
    expect(await snapshot(t)).toEqual(afterMerge);
  });

  it("applies several records of one person in a call in order, to one profile", async () => {
    const t = "customers-same-person";
    const chunk = [
      record([["email", "p@x.com"]], { step: 1, first: true }),
      record(
        [
          ["email", "p@x.com"],
          ["customer_id", "P-1"],
        ],
        { step: 2 },
      ),
      record([["customer_id", "P-1"]], { step: 3 }),
    ];
    expect(await customers(t, "run_1", chunk)).toEqual({ added: 3, updated: 0, unchanged: 0 });
    expect(await rowCount("profiles", t)).toBe(1);
    const profile = await getProfile(db, t, "customer_id", "P-1");
    expect(profile?.attributes).toEqual({ step: 3, first: true });
    expect(profile?.ids).toHaveLength(2);
  });

  it("leaves one profile when two chunks create the same new person at the same time", async () => {
    const t = "customers-race";
    await Promise.all([
      customers(t, "run_1", [record([["email", "race@x.com"]], { from: "chunk 1" })]),
      customers(t, "run_1", [record([["email", "race@x.com"]], { from: "chunk 2" })]),
    ]);
    expect(await rowCount("profiles", t)).toBe(1);
    expect(await getProfile(db, t, "email", "race@x.com")).not.toBeNull();
  });

  it("adds attributes to the profile an order import created for the buyer", async () => {
    const t = "customers-after-orders";
    await writeOrders(db, scope(t, "run_1"), [order("o1", "Buyer@X.com", [lineItem("1")])]);
    expect(await rowCount("profiles", t)).toBe(1);
    await customers(t, "run_2", [record([["email", "buyer@x.com"]], { vip: true })]);
    expect(await rowCount("profiles", t)).toBe(1);
    expect(await getProfile(db, t, "email", "BUYER@x.com")).toMatchObject({
      attributes: { vip: true },
      orders: { count: 1 },
    });
  });

  it("handles a person with more ids than D1 binds in one statement", async () => {
    const t = "customers-many-ids";
    const ids = Array.from({ length: 150 }, (_, i): [string, string] => ["cookie", `ck-${i}`]);
    expect(await customers(t, "run_1", [record(ids, { n: 1 })])).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    await writeOrders(db, scope(t, "run_2"), [
      order("o1", "ck-149", [lineItem("1")], { userIdType: "cookie" }),
    ]);
    const profile = await getProfile(db, t, "cookie", "ck-0");
    expect(profile?.ids).toHaveLength(150);
    expect(profile?.orders.count).toBe(1);
    expect(await customers(t, "run_3", [record(ids, { n: 1 })])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it("keeps tenants apart: the same ids in another tenant are another person", async () => {
    const a = "customers-tenant-a";
    const b = "customers-tenant-b";
    await customers(a, "run_a", [record([["email", "same@x.com"]], { tenant: "a", onlyA: 1 })]);
    const beforeA = await snapshot(a);
    expect(await customers(b, "run_b", [record([["email", "same@x.com"]], { tenant: "b" })])).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await snapshot(a)).toEqual(beforeA);
    expect((await getProfile(db, b, "email", "same@x.com"))?.attributes).toEqual({ tenant: "b" });
    expect((await getProfile(db, a, "email", "same@x.com"))?.attributes).toEqual({ tenant: "a", onlyA: 1 });
  });
});

describe("reading profiles", () => {
  it("sums the orders of the profile per currency, net of refunds, and finds it by plain or hashed id", async () => {
    const t = "profiles-read";
    const hash = await sha256Hex("ann@shop.com");
    await customers(t, "run_1", [
      record(
        [
          ["email_sha256", hash.toUpperCase()],
          ["customer_id", "A-1"],
        ],
        { tier: "gold" },
      ),
    ]);
    await writeOrders(db, scope(t, "run_2"), [
      order("o1", "A-1", [lineItem("1")], {
        userIdType: "customer_id",
        total: 30,
        refund: 5,
        createdAt: "2026-02-01T00:00:00.000Z",
      }),
      order("o2", hash, [lineItem("1")], {
        userIdType: "email_sha256",
        total: 0.1,
        createdAt: "2026-01-15T00:00:00.000Z",
      }),
      order("o3", hash, [lineItem("1")], {
        userIdType: "email_sha256",
        total: 0.2,
        createdAt: "2026-03-01T00:00:00.000Z",
      }),
      order("o4", "A-1", [lineItem("1")], { userIdType: "customer_id", currency: "USD", total: 12.5 }),
      order("other", "someone@else.com", [lineItem("1")]),
    ]);
    const profile = await getProfile(db, t, "email", "  Ann@Shop.com ");
    expect(profile).toMatchObject({
      attributes: { tier: "gold" },
      ids: [
        { type: "customer_id", value: "A-1" },
        { type: "email_sha256", value: hash },
      ],
      orders: {
        count: 4,
        revenue: { EUR: 25.3, USD: 12.5 },
        firstOrderAt: "2026-01-05T10:00:00.000Z",
        lastOrderAt: "2026-03-01T00:00:00.000Z",
      },
    });
    expect(profile?.updatedAt).toMatch(/^2026-/);
    expect((await getProfile(db, t, "email_sha256", hash.toUpperCase()))?.id).toBe(profile?.id);
    expect(await getProfile(db, t, "email", "nobody@shop.com")).toBeNull();
  });

  it("shows a profile without orders with an empty summary", async () => {
    const t = "profiles-no-orders";
    await customers(t, "run_1", [record([["phone", "+351 912 345 678"]], {})]);
    expect((await getProfile(db, t, "phone", "+351 912 345 678"))?.orders).toEqual({
      count: 0,
      revenue: {},
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });
});

describe("writing products and enriching events", () => {
  const product = (id: string, extra: Partial<Product> = {}): Product => ({
    id,
    title: `Product ${id}`,
    price: { amount: 15, currency: "USD" },
    brand: "Acme",
    ...extra,
  });

  it("keeps each transaction to about 10 MB: 24 MB of products go in several batches", async () => {
    const t = "products-batches";
    const big = Array.from({ length: 40 }, (_, i) =>
      product(`big${i}`, { description: `${i} ${"x".repeat(600_000)}` }),
    );
    const spy = recordingDb();
    expect(await writeProducts(spy.db, scope(t, "run_b"), big)).toEqual({
      added: 40,
      updated: 0,
      unchanged: 0,
    });
    expect(spy.statementsInLargestBatch).toBeLessThanOrEqual(STATEMENTS_PER_BATCH);
    expect(spy.bytesInLargestBatch).toBeGreaterThan(5_000_000);
    expect(spy.bytesInLargestBatch).toBeLessThanOrEqual(10 * STATEMENT_PAYLOAD_BYTES + 100_000);
    expect(spy.batches).toBeGreaterThanOrEqual(1 + Math.ceil(40 / STATEMENTS_PER_BATCH));
    expect(Math.max(...spy.statements.map((s) => s.largestParamBytes))).toBeLessThanOrEqual(2_000_000);
    expect((await getProduct(db, t, "big39"))?.description).toBe(`39 ${"x".repeat(600_000)}`);
  });

  it("classifies products like orders, replays the same, and writes nothing in a dry run", async () => {
    const t = "products-classify";
    expect(await writeProducts(db, scope(t, "run_1"), [product("p1"), product("p2")])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    const afterFirst = await snapshot(t);
    expect(await writeProducts(db, scope(t, "run_1"), [product("p1"), product("p2")])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await writeProducts(db, scope(t, "run_2"), [product("p1"), product("p2")])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 2,
    });
    expect(await snapshot(t)).toEqual(afterFirst);

    const next = [product("p1", { title: "New" }), product("p2"), product("p3")];
    expect(await writeProducts(db, scope(t, "run_dry", true), next)).toEqual({
      added: 1,
      updated: 1,
      unchanged: 1,
    });
    expect(await snapshot(t)).toEqual(afterFirst);
    expect(await writeProducts(db, scope(t, "run_3"), next)).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect(await getProduct(db, t, "p1")).toEqual(product("p1", { title: "New" }));
    expect(await getProduct(db, "products-other-tenant", "p1")).toBeNull();
  });

  it("fills in what an event's products lack from the catalogue, the event's values winning", async () => {
    const t = "products-enrich";
    await writeProducts(db, scope(t, "run_1"), [product("p1", { color: "red" }), product("p2")]);
    expect(
      await enrichEvent(db, t, {
        type: "productView",
        product: { id: "p1", price: 10, color: null, note: "sale" },
      }),
    ).toEqual({
      type: "productView",
      product: { id: "p1", title: "Product p1", price: 10, brand: "Acme", color: "red", note: "sale" },
    });
    expect(
      await enrichEvent(db, t, {
        type: "purchase",
        products: [
          { id: "p2", brand: "Own" },
          { id: "unknown", qty: 2 },
        ],
      }),
    ).toEqual({
      type: "purchase",
      products: [
        { id: "p2", title: "Product p2", price: { amount: 15, currency: "USD" }, brand: "Own" },
        { id: "unknown", qty: 2 },
      ],
    });
    expect(
      await enrichEvent(db, "products-other-tenant", { type: "productView", product: { id: "p1" } }),
    ).toEqual({
      type: "productView",
      product: { id: "p1" },
    });
  });
});
