import { describe, expect, it } from "vitest";
import { MAX_STORED_ROW_CHARS, oversizeIssue } from "../src/item-size";

describe("items too large to store", () => {
  it("names the longest field of an order line item over the limit", () => {
    const order = {
      orderId: "or2",
      userId: "a@b.com",
      lineItems: [
        { id: "li1", name: "Mug" },
        { id: "li2", name: "x".repeat(2000) },
      ],
    };
    expect(oversizeIssue(order, "order", 3, "or2", 1000)).toEqual({
      row: 3,
      item: "or2",
      field: "lineItems[1].name",
      code: "value_too_long",
      severity: "error",
      message:
        'Line item 2 of the order is too large to store: its text is over 1,000 characters, "lineItems[1].name" alone has 2,000. Shorten that field.',
      value: null,
    });
  });

  it("measures an order's own fields without its line items, and each line item alone", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ id: `li${i}`, name: "y".repeat(100) }));
    // 50 line items of 100 characters are 5,000 characters in all, but no stored row is over 1,000.
    expect(oversizeIssue({ orderId: "or1", lineItems: many }, "order", 2, "or1", 1000)).toBeNull();
    const profile = { userId: "c1", attributes: { note: "z".repeat(MAX_STORED_ROW_CHARS) } };
    expect(oversizeIssue(profile, "customer", 5, "c1")).toMatchObject({
      field: "attributes.note",
      message: expect.stringMatching(/^The customer is too large to store/),
    });
  });

  it("counts strings, keys and other values to the character, however deep the text is", () => {
    // 7 + 1 ("product" and "a") + 8 for the number + the string: one character more is too many.
    const item = (n: number) => ({ product: { a: [[12, "w".repeat(n)]] } });
    expect(oversizeIssue(item(984), "product", 1, "p1", 1000)).toBeNull();
    expect(oversizeIssue(item(985), "product", 1, "p1", 1000)).toMatchObject({ field: "product.a" });
    // Many small fields add up the same way: 100 fields of 9 or 10 characters, 990 in all.
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, "v".repeat(7)]));
    expect(oversizeIssue({ ...wide, x: "123456789" }, "customer", 1, "c1", 1000)).toBeNull();
    expect(oversizeIssue({ ...wide, x: "1234567890" }, "customer", 1, "c1", 1000)).toMatchObject({
      field: "x",
    });
  });
});
