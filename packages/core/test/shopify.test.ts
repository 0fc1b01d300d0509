/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ReadResult } from "../src/engine";
import { createShopifyReader } from "../src/formats/shopify";
import { ImportFileError } from "../src/issues";
import type { Order } from "../src/items";
import EXPORT from "./fixtures/orders/shopify-export.csv?raw";
import { csvCell, readRandomly, readText } from "./fixtures/orders/support";
import { seededRandom } from "./support/random";

const HEADER = EXPORT.slice(0, EXPORT.indexOf("\n"));
const COLUMNS = HEADER.split(",");
const config = ReadConfig.parse({ type: "orders", format: "shopify_csv" });
const byId = ReadConfig.parse({ type: "orders", format: "shopify_csv", options: { orderIdColumn: "Id" } });
const read = (text: string, cfg = config, size = text.length) =>
  readText(createShopifyReader, cfg, text, size);

/** The first row of a valid order, and a continuation row (Shopify leaves the order columns empty). */
const ORDER: Record<string, string> = {
  Name: "#2001",
  Email: "zoe@example.com",
  "Financial Status": "paid",
  Currency: "EUR",
  Subtotal: "10.00",
  Total: "10.00",
  "Discount Amount": "0.00",
  "Created at": "2026-01-01 10:00:00 +0000",
  "Lineitem quantity": "1",
  "Lineitem name": "Pen",
  "Lineitem price": "10.00",
  "Lineitem sku": "PEN",
  "Lineitem fulfillment status": "fulfilled",
  "Refunded Amount": "0.00",
  Id: "9001",
  "Lineitem discount": "0.00",
};
const LINE_COLUMNS = [
  "Name",
  "Email",
  "Created at",
  "Lineitem quantity",
  "Lineitem name",
  "Lineitem price",
  "Lineitem sku",
  "Lineitem fulfillment status",
  "Vendor",
  "Lineitem discount",
];
const shopifyRow = (values: Record<string, string>, columns = COLUMNS) =>
  columns.map((c) => csvCell(values[c] ?? "")).join(",");
const orderRow = (values: Record<string, string> = {}) => shopifyRow({ ...ORDER, ...values });
const lineRow = (values: Record<string, string> = {}) =>
  shopifyRow({ ...Object.fromEntries(LINE_COLUMNS.map((c) => [c, ORDER[c] ?? ""])), ...values });

const summary = (results: ReadResult<Order>[]) =>
  results.map((r) => [
    r.key,
    r.row,
    r.item ? "valid" : "invalid",
    r.issues.map((i) => [i.row, i.field, i.code, i.value, i.severity]),
  ]);

describe("shopify_csv: a real export's shape", () => {
  const results = read(EXPORT);
  const order = (name: string) => {
    const result = results.find((r) => r.key === name);
    if (!result) throw new Error(`no order ${name}`);
    return result;
  };

  it("reads the 79-column export into orders grouped by Name, with physical rows", () => {
    expect(COLUMNS).toHaveLength(79);
    expect(results.map((r) => [r.key, r.row, r.records, r.item ? "valid" : "invalid"])).toEqual([
      ["#1001", 2, 2, "valid"],
      ["#1002", 5, 1, "valid"],
      ["#1003", 6, 1, "valid"],
      ["#1004", 7, 1, "valid"],
      ["#1005", 8, 1, "valid"],
      ["#1006", 9, 1, "valid"],
      ["#1007", 10, 2, "valid"],
    ]);
  });

  it("maps an order onto the Order model, with line items from the Lineitem columns", () => {
    expect(order("#1001").issues).toEqual([]);
    const item = order("#1001").item;
    expect(item).toMatchObject({
      orderId: "#1001",
      userIdType: "email",
      userId: "ann@example.com",
      currency: "EUR",
      total: 54.2,
      subtotal: 40,
      tax: 9.2,
      shipping: 5,
      discount: 4,
      refund: 0,
      paymentMethod: "Shopify Payments",
      shippingMethod: "Colissimo",
      shippingCountry: "FR",
      promotions: ["WINTER10"],
      createdAt: "2025-12-03T23:59:29.000Z",
      lastUpdated: null,
    });
    expect(item?.lineItems).toEqual([
      {
        id: "1",
        productId: "MUG-L",
        itemGroupId: null,
        name: "Mug, large",
        sku: "MUG-L",
        brand: "Acme",
        category: null,
        categoryList: [],
        currency: "EUR",
        // 2 × 15.00, less a 2.00 line discount.
        subtotal: 30,
        discount: 2,
        total: 28,
        tax: 0,
        shipping: 0,
        refund: 0,
        quantity: 2,
        promotions: [],
        adult: false,
        subscriptionDuration: null,
        size: null,
        sizeSystem: null,
        status: "fulfilled",
      },
      expect.objectContaining({
        id: "2",
        productId: "TOWEL",
        name: "Tea towel",
        quantity: 1,
        subtotal: 10,
        total: 10,
      }),
    ]);
  });

  it("keeps Shopify-only columns under extra: booleans, zip codes without their apostrophe, dates in UTC", () => {
    const extra = order("#1001").item?.extra ?? {};
    expect(extra).toMatchObject({
      Name: "#1001",
      Id: "5501",
      "Financial Status": "paid",
      "Fulfillment Status": "fulfilled",
      "Accepts Marketing": true,
      "Paid at": "2025-12-03T23:59:30.000Z",
      "Fulfilled at": "2025-12-05T09:00:00.000Z",
      "Billing Zip": "75008",
      "Shipping Zip": "75008",
      "Billing Street": "12, Rue de Rivoli",
      "Note Attributes": 'gift: yes\nwrap: red paper, "festive"',
      Notes: "Leave at the door",
      Tags: "vip, repeat",
      "Tax 1 Name": "FR TVA 20%",
      "Tax 1 Value": "9.20",
    });
    // Mapped and line-only columns are not repeated there, nor are empty ones.
    for (const column of [
      "Total",
      "Email",
      "Lineitem name",
      "Lineitem compare at price",
      "Vendor",
      "Billing Address2",
    ])
      expect(extra).not.toHaveProperty(column);
    expect(order("#1003").item?.extra?.["Shipping Zip"]).toBe("02134");
    expect(order("#1004").item?.extra?.["Accepts Marketing"]).toBe(false);
  });

  it("gives an order without an e-mail to its phone, and warns about a line without a SKU", () => {
    expect(order("#1002").item).toMatchObject({ userIdType: "phone", userId: "+351912345678" });
    expect(summary([order("#1002")])).toEqual([
      ["#1002", 5, "valid", [[5, "Lineitem sku", "missing_field", null, "warning"]]],
    ]);
    expect(order("#1002").item?.lineItems[0]).toMatchObject({
      productId: "Gift card",
      sku: "",
      status: "placed",
    });
  });

  it("imports an order with neither e-mail nor phone (a point-of-sale order) without a buyer", () => {
    expect(summary([order("#1005")])).toEqual([["#1005", 8, "valid", []]]);
    expect(order("#1005").item).toMatchObject({ orderId: "#1005", userIdType: null, userId: null });
  });

  it("maps Financial Status and Lineitem fulfillment status onto line-item statuses", () => {
    const statuses = (name: string) => order(name).item?.lineItems.map((l) => l.status);
    expect(statuses("#1001")).toEqual(["fulfilled", "fulfilled"]); // paid × fulfilled
    expect(statuses("#1002")).toEqual(["placed"]); // pending × pending
    expect(statuses("#1003")).toEqual(["refunded"]); // refunded × restocked
    expect(statuses("#1004")).toEqual(["cancelled"]); // voided
    expect(statuses("#1006")).toEqual(["cancelled"]); // paid, but Cancelled at is set
    expect(statuses("#1007")).toEqual(["paid", "fulfilled"]); // partially_paid × partial, × fulfilled
    // A refunded line's refund is its total.
    expect(order("#1003").item?.lineItems[0]).toMatchObject({ total: 30, refund: 30, currency: "USD" });
    expect(order("#1003").item?.createdAt).toBe("2026-01-10T13:59:00.000Z");
  });

  it("gives identical items and issues whatever the size of the writes", () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 120; trial++) {
      const size = 1 + Math.floor(random() * (trial % 2 === 0 ? 24 : EXPORT.length));
      expect(read(EXPORT, config, size), `writes of ${size}`).toEqual(results);
    }
    for (let trial = 0; trial < 40; trial++)
      expect(readRandomly(createShopifyReader, config, EXPORT, random)).toEqual(results);
  });
});

describe("shopify_csv: rules", () => {
  it("uses the first row's Id as the order id with orderIdColumn Id, still grouping by Name", () => {
    const text = [
      HEADER,
      orderRow(),
      lineRow({ "Lineitem sku": "INK" }),
      orderRow({ Name: "#2002", Id: "9002" }),
    ];
    const results = read(text.join("\n"), byId);
    expect(results.map((r) => [r.key, r.item?.orderId, r.records, r.item?.extra?.Name])).toEqual([
      ["9001", "9001", 2, "#2001"],
      ["9002", "9002", 1, "#2002"],
    ]);
  });

  it("reports each bad value with its row, field, code and value", () => {
    const text = [
      HEADER,
      orderRow({ Name: "#1", "Financial Status": "shipped", Currency: "EURO" }),
      orderRow({ Name: "#2", "Created at": "2025-02-30 10:00:00 +0000", "Paid at": "yesterday" }),
      orderRow({ Name: "#3", "Lineitem quantity": "1.5", "Lineitem price": "15,00" }),
      lineRow({ Name: "#3", "Lineitem quantity": "-2", "Lineitem fulfillment status": "shipped" }),
      orderRow({ Name: "#4", Id: "", "Refunded Amount": "", "Lineitem discount": "" }),
      orderRow({ Name: "#5", "Financial Status": "PAID", "Discount Code": "A, B" }),
    ].join("\n");
    const results = read(text);
    expect(summary(results)).toEqual([
      [
        "#1",
        2,
        "invalid",
        [
          [2, "Financial Status", "invalid_status", "shipped", "error"],
          [2, "Currency", "invalid_currency", "EURO", "error"],
        ],
      ],
      [
        "#2",
        3,
        "invalid",
        [
          [3, "Created at", "invalid_date", "2025-02-30 10:00:00 +0000", "error"],
          [3, "Paid at", "invalid_date", "yesterday", "error"],
        ],
      ],
      [
        "#3",
        4,
        "invalid",
        [
          [4, "Lineitem quantity", "invalid_integer", "1.5", "error"],
          [4, "Lineitem price", "invalid_number", "15,00", "error"],
          [5, "Lineitem quantity", "negative_quantity", "-2", "error"],
          [5, "Lineitem fulfillment status", "invalid_status", "shipped", "error"],
        ],
      ],
      [
        "#4",
        6,
        "invalid",
        [
          [6, "Id", "missing_field", null, "error"],
          [6, "Refunded Amount", "missing_field", null, "error"],
          [6, "Lineitem discount", "missing_field", null, "error"],
        ],
      ],
      ["#5", 7, "valid", []],
    ]);
    expect(results[4]?.item?.promotions).toEqual(["A", "B"]);
    expect(results[0]?.issues[0]?.message).toBe(
      '"Financial Status" must be one of authorized, paid, partially_paid, pending, refunded, partially_refunded, voided; got "shipped".',
    );
  });

  it("treats a Name that comes back after another order as an issue, not a merge", () => {
    const results = read(
      [HEADER, orderRow({ Name: "#1" }), orderRow({ Name: "#2" }), orderRow({ Name: "#1" })].join("\n"),
    );
    expect(
      results.map((r) => [r.key, r.row, r.item ? "valid" : "invalid", r.issues.map((i) => i.code)]),
    ).toEqual([
      ["#1", 2, "valid", []],
      ["#2", 3, "valid", []],
      ["#1", 4, "invalid", ["non_contiguous_order"]],
    ]);
  });

  it("reports a row of one Name whose Email disagrees with the order's, which is then invalid", () => {
    const results = read(
      [
        HEADER,
        orderRow({ Name: "#1", Email: "zoe@example.com" }),
        lineRow({ Name: "#1", Email: "ZOE@example.com" }),
        lineRow({ Name: "#1", Email: "" }),
        lineRow({ Name: "#1", Email: "max@example.com" }),
        orderRow({ Name: "#2", Email: "" }),
        lineRow({ Name: "#2", Email: "ann@example.com" }),
      ].join("\n"),
    );
    expect(summary(results)).toEqual([
      ["#1", 2, "invalid", [[5, "Email", "conflicting_value", "max@example.com", "error"]]],
      ["#2", 6, "invalid", [[7, "Email", "conflicting_value", "ann@example.com", "error"]]],
    ]);
    expect(results[0]?.issues[0]?.message).toBe(
      'Row 5 continues order "#1" but its "Email" is "max@example.com", not "zoe@example.com" as on row 2, where the order starts: is this row\'s Name missing?',
    );
  });

  it("skips the rows of empty fields a spreadsheet leaves at the end, keeping the last order valid", () => {
    const blank = ",".repeat(COLUMNS.length - 1);
    for (const newline of ["\n", "\r\n"]) {
      const text = [
        HEADER,
        orderRow({ Name: "#1" }),
        blank,
        orderRow({ Name: "#2" }),
        lineRow({ Name: "#2", "Lineitem name": "Ink" }),
        blank,
        "   ",
        COLUMNS.map(() => '""').join(","),
        blank,
        "",
      ].join(newline);
      const results = read(text);
      expect(summary(results), JSON.stringify(newline)).toEqual([
        ["#1", 2, "valid", []],
        ["#2", 4, "valid", []],
      ]);
      // stats.rowsRead counts each order's records: the rows of empty fields are none.
      expect(results.map((r) => r.records)).toEqual([1, 2]);
      expect(results[1]?.item?.lineItems.map((l) => l.name)).toEqual(["Pen", "Ink"]);
    }
  });

  it("reads an older, shorter export whose columns stop earlier and name Fulfilled at differently", () => {
    const columns = COLUMNS.slice(0, COLUMNS.indexOf("Lineitem discount") + 1).map((c) =>
      c === "Fulfilled at" ? "Fulfillment Date" : c,
    );
    const values = { ...ORDER, "Fulfillment Date": "2026-01-02 08:00:00 +0100" };
    const [result] = read(`${columns.join(",")}\n${shopifyRow(values, columns)}\n`);
    expect(columns).toHaveLength(60);
    expect(result?.issues).toEqual([]);
    expect(result?.item?.extra?.["Fulfilled at"]).toBe("2026-01-02T07:00:00.000Z");
  });

  it("fails the file when a required column is missing, naming a wrong-case near miss", () => {
    const header = HEADER.replace("Financial Status", "financial status").replace(",Lineitem sku", "");
    const attempt = () => read(`${header}\n`);
    expect(attempt).toThrow(ImportFileError);
    expect(attempt).toThrow(
      'The file is missing required columns: "Financial Status", "Lineitem sku". "Financial Status" is missing; the header has "financial status" — column names are case sensitive.',
    );
  });
});
