import { LineItem, Order } from "@cdp/core";
import { describe, expect, it } from "vitest";
import { CURRENT_CODEC, decodeOrder, encodeOrder, isoMilliseconds } from "../src/codec";
import { lineItem, order } from "./support/items";

describe("the order codec", () => {
  it("names the fields of Order and LineItem, in their declared order", () => {
    expect(CURRENT_CODEC.orderFields).toEqual(Object.keys(Order.shape));
    expect(CURRENT_CODEC.lineFields).toEqual(Object.keys(LineItem.shape));
  });

  it("writes each field's value at that field's place in the codec, for orders and line items", () => {
    // Every field a value of its own, none of them a time or a hash the codec would rewrite.
    const marked = (fields: readonly string[], tag: string) =>
      Object.fromEntries(fields.map((field, i) => [field, `${tag}${i}`]));
    const first = marked(CURRENT_CODEC.lineFields, "a");
    const second = marked(CURRENT_CODEC.lineFields, "b");
    const odd = { ...marked(CURRENT_CODEC.orderFields, "o"), lineItems: [first, second] } as unknown as Order;
    const values = JSON.parse(encodeOrder(odd).data) as unknown[];
    const at = CURRENT_CODEC.orderFields.indexOf("lineItems");
    CURRENT_CODEC.orderFields.forEach((field, i) => {
      if (i !== at) expect(values[i], field).toBe(`o${i}`);
    });
    const [firstValues, changes] = values[at] as unknown[][];
    expect(firstValues).toEqual(CURRENT_CODEC.lineFields.map((_, i) => `a${i}`));
    expect(changes).toEqual(CURRENT_CODEC.lineFields.flatMap((_, i) => [i, `b${i}`]));
  });

  it("reads back exactly the order it wrote, line items of every shape included", () => {
    const orders = [
      order("no-lines", "a@x.com", []),
      order("one", "a@x.com", [lineItem("1", { categoryList: ["Men", "Shirts"], promotions: ["VIP"] })]),
      order("several", "a@x.com", [
        lineItem("1", { categoryList: ["Men"], name: 'Shirt, "model 1"', size: "M" }),
        lineItem("2", { categoryList: ["Men", "Shirts"], name: null, size: "M", quantity: 3 }),
        lineItem("3", { categoryList: [], status: "cancelled", subscriptionDuration: 12 }),
        lineItem("4", { categoryList: [], status: "cancelled", subscriptionDuration: 12 }),
      ]),
      order("shopify", "b@x.com", [lineItem("1")], { extra: { Tags: "gift", Vendor: null } }),
      order("guest", null, [lineItem("1")]),
      order("hashed", "x", [], { userIdType: "email_sha256", userId: "ab".repeat(32) }),
      // Not a hash after all (upper case): kept as it is.
      order("not-hex", "x", [], { userIdType: "email_sha256", userId: "AB".repeat(32) }),
      // Times that do not read back from milliseconds the same stay as they are.
      order("times", "a@x.com", [], {
        createdAt: "2026-01-05T10:00:00Z",
        lastUpdated: "2026-01-05T10:00:00.123Z",
      }),
    ];
    for (const want of orders) expect(decodeOrder(encodeOrder(want).data, CURRENT_CODEC)).toEqual(want);
    // The optional `extra` stays absent rather than becoming null.
    expect("extra" in decodeOrder(encodeOrder(orders[0] as Order).data, CURRENT_CODEC)).toBe(false);
  });

  it("keeps a line item's arrays its own when read back", () => {
    const [first, second] = decodeOrder(
      encodeOrder(
        order("o", "a@x.com", [lineItem("1", { promotions: ["A"] }), lineItem("2", { promotions: ["A"] })]),
      ).data,
      CURRENT_CODEC,
    ).lineItems;
    first?.promotions.push("B");
    expect(second?.promotions).toEqual(["A"]);
  });

  it("stores a line item after the first as the fields where it differs", () => {
    const { data: text } = encodeOrder(order("o", "a@x.com", [lineItem("1"), lineItem("2")]));
    const lines = (JSON.parse(text) as unknown[])[
      CURRENT_CODEC.orderFields.indexOf("lineItems")
    ] as unknown[][];
    // id, productId and sku differ.
    expect(lines[1]).toEqual([0, "2", 1, "p-2", 4, "sku-2"]);
  });

  it("reads a time as milliseconds only when it is written exactly as toISOString writes a real date", () => {
    for (const text of ["2026-01-05T10:00:00.000Z", "2024-02-29T23:59:59.999Z", "1970-01-01T00:00:00.000Z"])
      expect(isoMilliseconds(text), text).toBe(Date.parse(text));
    for (const text of [
      "2026-02-29T10:00:00.000Z",
      "2026-13-01T10:00:00.000Z",
      "2026-04-31T10:00:00.000Z",
      "2026-01-05T24:00:00.000Z",
      "2026-01-05T10:00:00Z",
      "2026-01-05T10:00:00.000+01:00",
      "2026-01-05 10:00:00.000Z",
    ])
      expect(isoMilliseconds(text), text).toBeNull();
  });

  it("keeps times as milliseconds", () => {
    const values = JSON.parse(
      encodeOrder(order("o", "a@x.com", [], { lastUpdated: null })).data,
    ) as unknown[];
    expect(values[CURRENT_CODEC.orderFields.indexOf("createdAt")]).toBe(
      Date.parse("2026-01-05T10:00:00.000Z"),
    );
    expect(values[CURRENT_CODEC.orderFields.indexOf("lastUpdated")]).toBeNull();
  });

  it("keeps a hashed buyer id in 43 characters instead of 64", () => {
    const { data: text } = encodeOrder(
      order("o", "x", [], { userIdType: "phone_sha256", userId: "0f".repeat(32) }),
    );
    const userId = (JSON.parse(text) as unknown[])[CURRENT_CODEC.orderFields.indexOf("userId")];
    expect(userId).toHaveLength(43);
  });

  it("keeps the line items of an order too long for one row in pages, each within a row's size", () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      lineItem(`l${i}`, { name: `${i} ${"é".repeat(400)}`, sku: `sku-${i}`, quantity: i }),
    );
    const big = order("big", "a@x.com", lines);
    const { data, pages } = encodeOrder(big);
    expect(pages.length).toBeGreaterThan(2);
    for (const text of [data, ...pages])
      expect(new TextEncoder().encode(text).length).toBeLessThan(2_000_000);
    expect(decodeOrder(data, CURRENT_CODEC, pages)).toEqual(big);
    // An order of ordinary size keeps all of it in its row.
    expect(encodeOrder(order("small", "a@x.com", lines.slice(0, 20))).pages).toEqual([]);
  });

  it("refuses a field the codec has no place for, rather than dropping it", () => {
    const odd = { ...order("o", "a@x.com", []), coupon: "X" } as Order;
    expect(() => encodeOrder(odd)).toThrow("the store has no place for the order field(s) coupon");
  });
});
