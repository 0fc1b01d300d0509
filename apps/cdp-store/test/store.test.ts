import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type CustomerRecord, type Order, type Product, sha256Hex } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { CdpStore } from "../src/client";
import { shardName, shardOf } from "../src/names";
import { lineItem, order, record, scope } from "./support/items";

const TABLES = ["orders", "order_pages", "products", "profiles", "profile_ids", "runs", "codecs"];

const storeOf = (tenantId: string, shards = 4) => new CdpStore(env.CDP_SHARDS, { id: tenantId, shards });

const stubOf = (tenantId: string, shard: "identity" | number) =>
  env.CDP_SHARDS.get(env.CDP_SHARDS.idFromName(shardName(tenantId, shard)));

/** Every row of a tenant's objects, in every table: equal snapshots mean nothing was written. */
async function snapshot(tenantId: string, shards = 4) {
  const out: Record<string, unknown[]> = {};
  for (const shard of ["identity", ...Array.from({ length: shards }, (_, n) => n)] as const) {
    await runInDurableObject(stubOf(tenantId, shard), (_instance, state) => {
      for (const table of TABLES)
        out[`${shard}.${table}`] = state.storage.sql.exec(`SELECT * FROM ${table} ORDER BY 1`).toArray();
    });
  }
  return out;
}

/** Rows of a table summed over a tenant's objects. */
async function rowCount(
  tenantId: string,
  table: "orders" | "products" | "profiles" | "profile_ids",
  shards = 4,
) {
  const snap = await snapshot(tenantId, shards);
  return Object.entries(snap)
    .filter(([name]) => name.endsWith(`.${table}`))
    .reduce((sum, [, rows]) => sum + rows.length, 0);
}

const customers = (
  store: CdpStore,
  runId: string,
  records: CustomerRecord[],
  options: { mergeStrategy?: "merge" | "replace"; dryRun?: boolean } = {},
) => store.writeCustomers(scope(runId, options.dryRun), options.mergeStrategy ?? "merge", records);

describe("writing orders", () => {
  it("classifies added, updated and unchanged; writing the same orders again changes no row", async () => {
    const store = storeOf("orders-classify");
    const first = [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "b@x.com", [lineItem("1"), lineItem("2")]),
    ];
    expect(await store.writeOrders(scope("run_1"), first)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const afterFirst = await snapshot("orders-classify");
    expect(await store.writeOrders(scope("run_2"), first)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(await snapshot("orders-classify")).toEqual(afterFirst);

    const changed = [
      order("o1", "a@x.com", [lineItem("1")], { total: 12 }),
      ...first.slice(1),
      order("o3", "c@x.com", []),
    ];
    expect(await store.writeOrders(scope("run_3"), changed)).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect(await store.getOrder("o1")).toEqual(changed[0]);
    expect(await store.getOrder("o2")).toEqual(first[1]);
  });

  it("puts each order in the data shard its id hashes to, with its line items in the same row", async () => {
    const store = storeOf("orders-shards", 8);
    const orders = Array.from({ length: 200 }, (_, i) =>
      order(`sh${i}`, `b${i % 7}@x.com`, [lineItem("1"), lineItem("2")]),
    );
    expect(await store.writeOrders(scope("run_1"), orders)).toEqual({ added: 200, updated: 0, unchanged: 0 });
    const usage = await store.usage();
    expect(usage).toHaveLength(9);
    const expected = Array.from(
      { length: 8 },
      (_, n) => orders.filter((o) => shardOf(o.orderId, 8) === n).length,
    );
    expect(usage.slice(1).map((u) => u.orders)).toEqual(expected);
    expect(usage.slice(1).map((u) => u.lineItems)).toEqual(expected.map((n) => 2 * n));
    // Every shard got some: 200 ids over 8 shards.
    expect(Math.min(...expected)).toBeGreaterThan(0);
    // The buyers' profiles are in the identity shard, and nowhere else.
    expect(usage[0]).toMatchObject({ orders: 0, profiles: 7, ids: 7 });
    expect(usage.slice(1).every((u) => u.profiles === 0)).toBe(true);
    for (const o of orders.slice(0, 20)) expect(await store.getOrder(o.orderId)).toEqual(o);
  });

  it("classifies an order whose only change is in one line item, or in their order, as updated", async () => {
    const store = storeOf("orders-line-change");
    const base = order("o1", "a@x.com", [lineItem("1"), lineItem("2")]);
    await store.writeOrders(scope("run_1"), [base]);
    const quantity = order("o1", "a@x.com", [lineItem("1"), lineItem("2", { quantity: 3 })]);
    expect(await store.writeOrders(scope("run_2"), [quantity])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    const swapped = order("o1", "a@x.com", [lineItem("2", { quantity: 3 }), lineItem("1")]);
    expect(await store.writeOrders(scope("run_3"), [swapped])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    expect((await store.getOrder("o1"))?.lineItems.map((li) => li.id)).toEqual(["2", "1"]);
    expect(await store.writeOrders(scope("run_4"), [swapped])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it("reports a redelivered chunk exactly as its first delivery, and changes nothing more", async () => {
    const store = storeOf("orders-replay");
    await store.writeOrders(scope("run_0"), [
      order("kept", "k@x.com", [lineItem("1")]),
      order("old", "k@x.com", []),
    ]);
    const chunk = [
      order("new", "n@x.com", [lineItem("1")]),
      order("old", "k@x.com", [lineItem("1")]),
      order("kept", "k@x.com", [lineItem("1")]),
    ];
    const firstDelivery = await store.writeOrders(scope("run_1"), chunk);
    expect(firstDelivery).toEqual({ added: 1, updated: 1, unchanged: 1 });
    const afterFirst = await snapshot("orders-replay");
    expect(await store.writeOrders(scope("run_1"), chunk)).toEqual(firstDelivery);
    expect(await snapshot("orders-replay")).toEqual(afterFirst);
  });

  it("reports a chunk redelivered after some shards stored their part as a clean first delivery would", async () => {
    const store = storeOf("orders-partial", 4);
    const chunk = Array.from({ length: 40 }, (_, i) => order(`o${i}`, "p@x.com", [lineItem("1")]));
    // The first delivery stored the orders of shards 0 and 1 before the consumer crashed.
    await store.writeOrders(
      scope("run_1"),
      chunk.filter((o) => shardOf(o.orderId, 4) < 2),
    );
    expect(await store.writeOrders(scope("run_1"), chunk)).toEqual({ added: 40, updated: 0, unchanged: 0 });
    expect(await rowCount("orders-partial", "orders")).toBe(40);
    expect(await rowCount("orders-partial", "profiles")).toBe(1);
  });

  it("stores the last version of an order given twice in one call, and replays it the same", async () => {
    const store = storeOf("orders-twice");
    const v0 = order("o1", "a@x.com", [lineItem("1")]);
    await store.writeOrders(scope("run_0"), [v0]);
    const chunk = [order("o1", "a@x.com", [lineItem("1", { status: "cancelled" })]), v0];
    const firstDelivery = await store.writeOrders(scope("run_1"), chunk);
    expect(firstDelivery).toEqual({ added: 0, updated: 2, unchanged: 0 });
    expect((await store.getOrder("o1"))?.lineItems[0]?.status).toBe("fulfilled");
    expect(await store.writeOrders(scope("run_1"), chunk)).toEqual(firstDelivery);
    // A new order given twice: inserted once, as its last version.
    const fresh = [order("n1", "a@x.com", []), order("n1", "a@x.com", [lineItem("9")])];
    expect(await store.writeOrders(scope("run_2"), fresh)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    expect((await store.getOrder("n1"))?.lineItems.map((l) => l.id)).toEqual(["9"]);
  });

  it("classifies a dry run as the real run, and writes nothing, not even profiles", async () => {
    const store = storeOf("orders-dry");
    await store.writeOrders(scope("run_0"), [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "a@x.com", []),
    ]);
    const chunk = [
      order("o1", "a@x.com", [lineItem("1")]),
      order("o2", "a@x.com", [lineItem("9")]),
      order("o3", "new@x.com", [lineItem("1")]),
      order("o3", "new@x.com", [lineItem("2")]),
    ];
    const before = await snapshot("orders-dry");
    const dry = await store.writeOrders(scope("run_dry", true), chunk);
    expect(await snapshot("orders-dry")).toEqual(before);
    expect(await store.getProfile("email", "new@x.com")).toBeNull();
    expect(dry).toEqual({ added: 2, updated: 1, unchanged: 1 });
    expect(await store.writeOrders(scope("run_real"), chunk)).toEqual(dry);
  });

  it("replaces the line items of an order re-imported as cancelled, keeping file order", async () => {
    const store = storeOf("orders-cancel");
    await store.writeOrders(scope("run_1"), [
      order("o1", "a@x.com", [lineItem("c"), lineItem("a"), lineItem("b")]),
    ]);
    expect((await store.getOrder("o1"))?.lineItems.map((l) => l.id)).toEqual(["c", "a", "b"]);
    const cancelled = order(
      "o1",
      "a@x.com",
      [lineItem("c", { status: "cancelled" }), lineItem("a", { status: "cancelled" })],
      { refund: 20 },
    );
    expect(await store.writeOrders(scope("run_2"), [cancelled])).toEqual({
      added: 0,
      updated: 1,
      unchanged: 0,
    });
    expect(await store.getOrder("o1")).toEqual(cancelled);
    expect((await store.usage()).reduce((sum, u) => sum + u.lineItems, 0)).toBe(2);
    // Fully refunded: the profile's revenue shows it.
    expect((await store.getProfile("email", "a@x.com"))?.orders.revenue).toEqual({ EUR: 0 });
  });

  it("keeps an order without a buyer, linked to no profile", async () => {
    const store = storeOf("orders-guest");
    const guest = order("g1", null, [lineItem("1")]);
    expect(await store.writeOrders(scope("run_1"), [guest])).toEqual({ added: 1, updated: 0, unchanged: 0 });
    expect(await store.getOrder("g1")).toEqual(guest);
    expect(await rowCount("orders-guest", "profiles")).toBe(0);
  });

  it("keeps an order of 2,000 long line items whole", async () => {
    const store = storeOf("orders-large");
    const lines = Array.from({ length: 2000 }, (_, i) =>
      lineItem(`l${i}`, { name: `${i} ${"é".repeat(300)}` }),
    );
    const big = order("big", "a@x.com", lines);
    expect(await store.writeOrders(scope("run_1"), [big])).toEqual({ added: 1, updated: 0, unchanged: 0 });
    expect(await store.getOrder("big")).toEqual(big);
  });

  it("keeps tenants apart: the same order ids in another tenant are its own", async () => {
    const a = storeOf("orders-tenant-a");
    const b = storeOf("orders-tenant-b");
    await a.writeOrders(scope("run_a"), [order("o1", "ann@x.com", [lineItem("1")])]);
    const beforeA = await snapshot("orders-tenant-a");
    expect(
      await b.writeOrders(scope("run_b"), [order("o1", "ann@x.com", [lineItem("1"), lineItem("2")])]),
    ).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await snapshot("orders-tenant-a")).toEqual(beforeA);
    expect((await a.getOrder("o1"))?.lineItems).toHaveLength(1);
    expect((await b.getOrder("o1"))?.lineItems).toHaveLength(2);
    expect((await a.getProfile("email", "ann@x.com"))?.orders.count).toBe(1);
    const c = storeOf("orders-tenant-c");
    expect(await c.getOrder("o1")).toBeNull();
    expect(await c.getProfile("email", "ann@x.com")).toBeNull();
  });
});

describe("writing customers", () => {
  it("classifies added, updated and unchanged; the same file again changes no row", async () => {
    const store = storeOf("customers-classify");
    const file = [
      record([["email", "Ann@Shop.com"]], { tier: "gold" }),
      record([["customer_id", "C-1"]], { tier: "silver" }),
    ];
    expect(await customers(store, "run_1", file)).toEqual({ added: 2, updated: 0, unchanged: 0 });
    const afterFirst = await snapshot("customers-classify");
    expect(await customers(store, "run_2", file)).toEqual({ added: 0, updated: 0, unchanged: 2 });
    expect(await snapshot("customers-classify")).toEqual(afterFirst);
    expect(
      await customers(store, "run_3", [
        record([["email", "ann@shop.com"]], { tier: "platinum" }),
        ...file.slice(1),
      ]),
    ).toEqual({ added: 0, updated: 1, unchanged: 1 });
    const ann = await store.getProfile("email", "ann@shop.com");
    expect(ann?.attributes).toEqual({ tier: "platinum" });
    // The run that last changed the attribute.
    expect(ann?.attributeRuns).toEqual({ tier: "run_3" });
  });

  it("reports a redelivered chunk as its first delivery, and changes nothing more", async () => {
    const store = storeOf("customers-replay");
    await customers(store, "run_0", [record([["email", "old@x.com"]], { n: 0 })]);
    const chunk = [record([["email", "new@x.com"]], { n: 1 }), record([["email", "old@x.com"]], { n: 2 })];
    const firstDelivery = await customers(store, "run_1", chunk);
    expect(firstDelivery).toEqual({ added: 1, updated: 1, unchanged: 0 });
    const afterFirst = await snapshot("customers-replay");
    expect(await customers(store, "run_1", chunk)).toEqual(firstDelivery);
    expect(await snapshot("customers-replay")).toEqual(afterFirst);
  });

  it("classifies a dry run as the real run, and writes nothing", async () => {
    const store = storeOf("customers-dry");
    await customers(store, "run_0", [
      record([["email", "a@x.com"]], { n: 1 }),
      record([["cookie", "ck"]], { m: 1 }),
    ]);
    const chunk = [
      record([["email", "a@x.com"]], { n: 1 }),
      record([["email", "b@x.com"]], {}),
      // The same new person again: a dry run sees the first record, as the real run would.
      record([["email", "b@x.com"]], { later: true }),
      // Links two existing profiles: a dry run must not merge them.
      record(
        [
          ["email", "a@x.com"],
          ["cookie", "ck"],
        ],
        {},
      ),
    ];
    const before = await snapshot("customers-dry");
    const dry = await customers(store, "run_dry", chunk, { dryRun: true });
    expect(await snapshot("customers-dry")).toEqual(before);
    expect(dry).toEqual({ added: 2, updated: 1, unchanged: 1 });
    expect(await customers(store, "run_real", chunk)).toEqual(dry);
  });

  it("keeps attributes the file does not mention with the merge strategy, and drops them with replace", async () => {
    const store = storeOf("customers-strategy");
    await customers(store, "run_1", [
      record([["customer_id", "C-1"]], { a: 1, b: 2 }),
      record([["customer_id", "C-2"]], { a: 1, b: 2 }),
    ]);
    await customers(store, "run_2", [record([["customer_id", "C-1"]], { b: 3 })], { mergeStrategy: "merge" });
    await customers(store, "run_3", [record([["customer_id", "C-2"]], { b: 3 })], {
      mergeStrategy: "replace",
    });
    const merged = await store.getProfile("customer_id", "C-1");
    expect(merged?.attributes).toEqual({ a: 1, b: 3 });
    expect(merged?.attributeRuns).toEqual({ a: "run_1", b: "run_2" });
    expect((await store.getProfile("customer_id", "C-2"))?.attributes).toEqual({ b: 3 });
  });

  it("merges two profiles when a record's ids point to both: ids, attributes and orders move to the older", async () => {
    const store = storeOf("customers-merge");
    await customers(store, "run_1", [record([["customer_id", "G-1"]], { tier: "old", city: "Porto" })]);
    await customers(store, "run_2", [record([["cookie", "ck-9"]], { tier: "newer", device: "ios" })]);
    await store.writeOrders(scope("run_o"), [
      order("o1", "G-1", [lineItem("1")], { userIdType: "customer_id" }),
      order("o2", "ck-9", [lineItem("1")], { userIdType: "cookie", total: 5 }),
    ]);
    const older = await store.getProfile("customer_id", "G-1");
    const newer = await store.getProfile("cookie", "ck-9");
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
    expect(await customers(store, "run_3", chunk)).toEqual({ added: 0, updated: 1, unchanged: 0 });
    const merged = await store.getProfile("cookie", "ck-9");
    expect(merged?.id).toBe(older?.id);
    expect((await store.getProfile("email", "g@x.com"))?.id).toBe(older?.id);
    expect(merged?.ids).toEqual([
      { type: "cookie", value: "ck-9" },
      { type: "customer_id", value: "G-1" },
      { type: "email", value: "g@x.com" },
    ]);
    // The newer profile wins over the older one, the record over both.
    expect(merged?.attributes).toEqual({ tier: "newer", city: "Porto", device: "android" });
    expect(merged?.attributeRuns).toEqual({ tier: "run_2", city: "run_1", device: "run_3" });
    expect(merged?.orders).toMatchObject({ count: 2, revenue: { EUR: 15 } });
    expect(await rowCount("customers-merge", "profiles")).toBe(1);

    const afterMerge = await snapshot("customers-merge");
    expect(await customers(store, "run_3", chunk)).toEqual({ added: 0, updated: 1, unchanged: 0 });
    expect(await snapshot("customers-merge")).toEqual(afterMerge);
  });

  it("applies several records of one person in a call in order, to one profile", async () => {
    const store = storeOf("customers-same-person");
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
    expect(await customers(store, "run_1", chunk)).toEqual({ added: 3, updated: 0, unchanged: 0 });
    expect(await rowCount("customers-same-person", "profiles")).toBe(1);
    const profile = await store.getProfile("customer_id", "P-1");
    expect(profile?.attributes).toEqual({ step: 3, first: true });
    expect(profile?.ids).toHaveLength(2);
  });

  it("leaves one profile when two chunks create the same new person at the same time", async () => {
    const store = storeOf("customers-race");
    await Promise.all([
      customers(store, "run_1", [record([["email", "race@x.com"]], { from: "chunk 1" })]),
      customers(store, "run_1", [record([["email", "race@x.com"]], { from: "chunk 2" })]),
    ]);
    expect(await rowCount("customers-race", "profiles")).toBe(1);
    expect(await store.getProfile("email", "race@x.com")).not.toBeNull();
  });

  it("adds attributes to the profile an order import created for the buyer", async () => {
    const store = storeOf("customers-after-orders");
    await store.writeOrders(scope("run_1"), [order("o1", "Buyer@X.com", [lineItem("1")])]);
    expect(await rowCount("customers-after-orders", "profiles")).toBe(1);
    await customers(store, "run_2", [record([["email", "buyer@x.com"]], { vip: true })]);
    expect(await rowCount("customers-after-orders", "profiles")).toBe(1);
    expect(await store.getProfile("email", "BUYER@x.com")).toMatchObject({
      attributes: { vip: true },
      orders: { count: 1 },
    });
  });

  it("handles a person with more ids than a statement binds", async () => {
    const store = storeOf("customers-many-ids");
    const ids = Array.from({ length: 150 }, (_, i): [string, string] => ["cookie", `ck-${i}`]);
    expect(await customers(store, "run_1", [record(ids, { n: 1 })])).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    await store.writeOrders(scope("run_2"), [
      order("o1", "ck-149", [lineItem("1")], { userIdType: "cookie" }),
    ]);
    const profile = await store.getProfile("cookie", "ck-0");
    expect(profile?.ids).toHaveLength(150);
    expect(profile?.orders.count).toBe(1);
    expect(await customers(store, "run_3", [record(ids, { n: 1 })])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 1,
    });
  });

  it("keeps tenants apart: the same ids in another tenant are another person", async () => {
    const a = storeOf("customers-tenant-a");
    const b = storeOf("customers-tenant-b");
    await customers(a, "run_a", [record([["email", "same@x.com"]], { tenant: "a", onlyA: 1 })]);
    const beforeA = await snapshot("customers-tenant-a");
    expect(await customers(b, "run_b", [record([["email", "same@x.com"]], { tenant: "b" })])).toEqual({
      added: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await snapshot("customers-tenant-a")).toEqual(beforeA);
    expect((await b.getProfile("email", "same@x.com"))?.attributes).toEqual({ tenant: "b" });
    expect((await a.getProfile("email", "same@x.com"))?.attributes).toEqual({ tenant: "a", onlyA: 1 });
  });
});

describe("reading profiles", () => {
  it("sums the orders of the profile over every data shard, net of refunds, and finds it by plain or hashed id", async () => {
    const store = storeOf("profiles-read", 4);
    const hash = await sha256Hex("ann@shop.com");
    await customers(store, "run_1", [
      record(
        [
          ["email_sha256", hash.toUpperCase()],
          ["customer_id", "A-1"],
        ],
        { tier: "gold" },
      ),
    ]);
    const orders = [
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
    ];
    await store.writeOrders(scope("run_2"), orders);
    // The person's orders are in more than one shard.
    expect(new Set(orders.slice(0, 4).map((o) => shardOf(o.orderId, 4))).size).toBeGreaterThan(1);
    const profile = await store.getProfile("email", "  Ann@Shop.com ");
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
    expect((await store.getProfile("email_sha256", hash.toUpperCase()))?.id).toBe(profile?.id);
    expect(await store.getProfile("email", "nobody@shop.com")).toBeNull();
  });

  it("shows a profile without orders with an empty summary", async () => {
    const store = storeOf("profiles-no-orders");
    await customers(store, "run_1", [record([["phone", "+351 912 345 678"]], {})]);
    expect((await store.getProfile("phone", "+351 912 345 678"))?.orders).toEqual({
      count: 0,
      revenue: {},
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });

  it("pages a person's orders from every shard, newest first, each order once", async () => {
    const store = storeOf("profiles-orders", 4);
    const placed = (i: number) => new Date(Date.UTC(2026, 0, 1 + (i % 20), i % 24)).toISOString();
    const mine = Array.from({ length: 57 }, (_, i) =>
      order(`m${i}`, "me@x.com", [lineItem("1")], { createdAt: placed(i) }),
    );
    await store.writeOrders(scope("run_1"), [...mine, order("theirs", "you@x.com", [lineItem("1")])]);
    const profile = await store.findProfile("email", "me@x.com");
    if (!profile) throw new Error("no profile");
    const seen: string[] = [];
    let after = null;
    let pages = 0;
    do {
      const page = await store.profileOrders(profile, after, 10);
      seen.push(...page.items.map((o) => o.orderId));
      after = page.next;
      pages++;
    } while (after);
    expect(pages).toBe(6);
    const newestFirst = [...mine]
      .sort((a, b) =>
        a.createdAt === b.createdAt ? (a.orderId < b.orderId ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
      )
      .map((o) => o.orderId);
    expect(seen).toEqual(newestFirst);
  });
});

describe("erasure and access", () => {
  it("erases a person's profile, ids and orders from every shard, and says how many", async () => {
    const store = storeOf("erase", 4);
    await customers(store, "run_1", [
      record(
        [
          ["email", "gone@x.com"],
          ["customer_id", "G-1"],
        ],
        { name: "Gone" },
      ),
    ]);
    const theirs = Array.from({ length: 12 }, (_, i) =>
      order(`g${i}`, i % 2 ? "gone@x.com" : "G-1", [lineItem("1"), lineItem("2")], {
        userIdType: i % 2 ? "email" : "customer_id",
      }),
    );
    const kept = order("k1", "stay@x.com", [lineItem("1")]);
    await store.writeOrders(scope("run_2"), [...theirs, kept]);
    expect(new Set(theirs.map((o) => shardOf(o.orderId, 4))).size).toBeGreaterThan(2);

    const exported = await store.exportProfile("email", "GONE@x.com");
    expect(exported?.profile.attributes).toEqual({ name: "Gone" });
    expect(exported?.orders.map((o) => o.orderId).sort()).toEqual(theirs.map((o) => o.orderId).sort());

    expect(await store.eraseProfile("email", "gone@x.com")).toEqual({
      profiles: 1,
      ids: 2,
      orders: 12,
      lineItems: 24,
    });
    expect(await store.getProfile("customer_id", "G-1")).toBeNull();
    for (const o of theirs) expect(await store.getOrder(o.orderId)).toBeNull();
    // Nothing of them is left in any shard; the other person is untouched.
    const snap = await snapshot("erase", 4);
    expect(JSON.stringify(snap)).not.toContain("gone@x.com");
    expect(JSON.stringify(snap)).not.toContain("G-1");
    expect(await store.getOrder("k1")).toEqual(kept);
    expect(await store.eraseProfile("email", "gone@x.com")).toBeNull();
  });

  it("finds a hashed person by their plain e-mail to erase them", async () => {
    const store = storeOf("erase-hashed");
    const hash = await sha256Hex("h@x.com");
    await store.writeOrders(scope("run_1"), [
      order("h1", hash, [lineItem("1")], { userIdType: "email_sha256" }),
    ]);
    expect(await store.eraseProfile("email", " H@x.com")).toEqual({
      profiles: 1,
      ids: 1,
      orders: 1,
      lineItems: 1,
    });
    expect(await rowCount("erase-hashed", "orders")).toBe(0);
  });

  it("wipes everything a tenant's objects hold, and only that tenant's", async () => {
    const gone = storeOf("wipe-gone");
    const kept = storeOf("wipe-kept");
    for (const store of [gone, kept]) {
      await store.writeOrders(scope("run_1"), [order("o1", "a@x.com", [lineItem("1")])]);
      await store.writeProducts(scope("run_1"), [{ id: "p1", title: "Mug" }]);
    }
    await gone.wipe();
    expect((await gone.usage()).map(({ bytes: _, ...rows }) => rows)).toEqual(
      Array(5).fill({ orders: 0, lineItems: 0, products: 0, profiles: 0, ids: 0 }),
    );
    expect(await gone.getOrder("o1")).toBeNull();
    expect(await kept.getOrder("o1")).not.toBeNull();
    expect(await kept.getProduct("p1")).toEqual({ id: "p1", title: "Mug" });
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

  it("keeps products of 1.5 MB whole", async () => {
    const store = storeOf("products-big");
    const big = Array.from({ length: 6 }, (_, i) =>
      product(`big${i}`, { description: `${i} ${"x".repeat(1_500_000)}` }),
    );
    expect(await store.writeProducts(scope("run_b"), big)).toEqual({ added: 6, updated: 0, unchanged: 0 });
    expect((await store.getProduct("big5"))?.description).toBe(`5 ${"x".repeat(1_500_000)}`);
  });

  it("classifies products like orders, replays the same, and writes nothing in a dry run", async () => {
    const store = storeOf("products-classify");
    expect(await store.writeProducts(scope("run_1"), [product("p1"), product("p2")])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    const afterFirst = await snapshot("products-classify");
    expect(await store.writeProducts(scope("run_1"), [product("p1"), product("p2")])).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await store.writeProducts(scope("run_2"), [product("p1"), product("p2")])).toEqual({
      added: 0,
      updated: 0,
      unchanged: 2,
    });
    expect(await snapshot("products-classify")).toEqual(afterFirst);

    const next = [product("p1", { title: "New" }), product("p2"), product("p3")];
    expect(await store.writeProducts(scope("run_dry", true), next)).toEqual({
      added: 1,
      updated: 1,
      unchanged: 1,
    });
    expect(await snapshot("products-classify")).toEqual(afterFirst);
    expect(await store.writeProducts(scope("run_3"), next)).toEqual({ added: 1, updated: 1, unchanged: 1 });
    expect(await store.getProduct("p1")).toEqual(product("p1", { title: "New" }));
    expect(await storeOf("products-other-tenant").getProduct("p1")).toBeNull();
  });

  it("fills in what an event's products lack from the catalogue, the event's values winning", async () => {
    const store = storeOf("products-enrich", 8);
    await store.writeProducts(scope("run_1"), [product("p1", { color: "red" }), product("p2")]);
    expect(
      await store.enrichEvent({
        type: "productView",
        product: { id: "p1", price: 10, color: null, note: "sale" },
      }),
    ).toEqual({
      type: "productView",
      product: { id: "p1", title: "Product p1", price: 10, brand: "Acme", color: "red", note: "sale" },
    });
    expect(
      await store.enrichEvent({
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
      await storeOf("products-other-tenant").enrichEvent({ type: "productView", product: { id: "p1" } }),
    ).toEqual({
      type: "productView",
      product: { id: "p1" },
    });
  });
});

describe("what a run wrote", () => {
  /** Every page of a run's items of one kind, `limit` at a time. */
  async function allItems(
    store: CdpStore,
    runId: string,
    kind: "orders" | "products" | "profiles",
    limit: number,
  ) {
    const items: { id: string; ids?: unknown }[] = [];
    let after = null;
    let pages = 0;
    do {
      const page = await store.runItems(runId, kind, after, limit);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      after = page.next;
      pages++;
    } while (after && pages < 100);
    return { items, pages };
  }

  it("lists the orders, products and profiles a run added or changed last, across shards and pages", async () => {
    const store = storeOf("run-items", 4);
    const orders = Array.from({ length: 23 }, (_, i) =>
      order(`ri${i}`, `buyer${i % 5}@x.com`, [lineItem("1")]),
    );
    await store.writeOrders(scope("run_a"), orders);
    // run_b changes two orders and adds one: they are run_b's now; run_a keeps the rest.
    const changed = [
      order("ri3", "buyer3@x.com", [lineItem("1")], { total: 99 }),
      order("ri7", "buyer2@x.com", [lineItem("1")], { total: 99 }),
      order("ri_new", "buyer9@x.com", [lineItem("1")]),
      orders[0] as Order,
    ];
    expect(await store.writeOrders(scope("run_b"), changed)).toEqual({ added: 1, updated: 2, unchanged: 1 });

    const a = await allItems(store, "run_a", "orders", 5);
    expect(a.items.map((i) => i.id).sort()).toEqual(
      orders
        .map((o) => o.orderId)
        .filter((id) => id !== "ri3" && id !== "ri7")
        .sort(),
    );
    expect(a.pages).toBe(5);
    const b = await allItems(store, "run_b", "orders", 5);
    expect(b.items.map((i) => i.id).sort()).toEqual(["ri3", "ri7", "ri_new"]);

    // The buyers' profiles: five made by run_a, one by run_b, each with its id.
    const profilesA = await allItems(store, "run_a", "profiles", 2);
    expect(profilesA.items).toHaveLength(5);
    expect(profilesA.items.every((p) => /^prf_/.test(p.id))).toBe(true);
    const profilesB = await allItems(store, "run_b", "profiles", 2);
    expect(profilesB.items).toEqual([
      { id: expect.stringMatching(/^prf_/), ids: [{ type: "email", value: "buyer9@x.com" }] },
    ]);

    // A run that wrote nothing here, and another tenant's store, list nothing.
    expect(await store.runItems("run_unknown", "orders", null, 10)).toEqual({ items: [], next: null });
    expect(await storeOf("run-items-other", 4).runItems("run_a", "orders", null, 10)).toEqual({
      items: [],
      next: null,
    });
  });

  it("lists a dry run's items as nothing, since it wrote nothing", async () => {
    const store = storeOf("run-items-dry", 2);
    await store.writeProducts(scope("run_dry", true), [{ id: "p1", title: "P" }]);
    expect(await store.runItems("run_dry", "products", null, 10)).toEqual({ items: [], next: null });
    await store.writeProducts(scope("run_real"), [{ id: "p1", title: "P" }]);
    expect((await store.runItems("run_real", "products", null, 10)).items).toEqual([{ id: "p1" }]);
  });
});
