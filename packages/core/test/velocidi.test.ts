import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ReadResult } from "../src/engine";
import { createVelocidiReader } from "../src/formats/velocidi";
import { ImportFileError } from "../src/issues";
import type { Order } from "../src/items";
import { createCsvSplitter } from "../src/split-csv";

const HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";

type Row = Partial<Record<string, string>>;
const DEFAULTS: Row = {
  userIdType: "email",
  userId: "ann@shop.com",
  currency: "EUR",
  total: "102.5",
  subtotal: "85",
  tax: "11.5",
  shipping: "6",
  discount: "5",
  refund: "0",
  paymentMethod: "Visa",
  promotions: "WINTERSALE;VIP",
  createdAt: "2020-09-16T10:38:06+0100",
  lineItem_productId: "p125zc",
  lineItem_sku: "p125zc-5",
  lineItem_currency: "EUR",
  lineItem_total: "102.5",
  lineItem_subtotal: "85",
  lineItem_tax: "11.5",
  lineItem_shipping: "6",
  lineItem_discount: "5",
  lineItem_refund: "0",
  lineItem_quantity: "1",
  lineItem_status: "fulfilled",
};
const COLUMNS = HEADER.split(",");
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const row = (values: Row, base: Row = DEFAULTS) =>
  COLUMNS.map((c) => csvCell(values[c] ?? base[c] ?? "")).join(",");
const config = ReadConfig.parse({ type: "orders", format: "velocidi_csv" });

function read(text: string, size = text.length, cfg = config): ReadResult<Order>[] {
  const reader = createVelocidiReader(cfg);
  const out: ReadResult<Order>[] = [];
  for (let i = 0; i < text.length; i += Math.max(1, size)) out.push(...reader.write(text.slice(i, i + size)));
  out.push(...reader.end());
  return out;
}

function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("velocidi_csv", () => {
  it("reads an order with its line items, every type converted", () => {
    const text = [
      HEADER,
      row({
        orderId: "or123",
        lineItem_id: "li1",
        lineItem_name: 'Shirt, "blue"',
        lineItem_categoryList: "Men;Shirts",
        lineItem_adult: "true",
        lineItem_subscriptionDuration: "15552000000",
      }),
      row({ orderId: "", lineItem_productId: "p2", lineItem_sku: "p2-s", lineItem_quantity: "2" }),
    ].join("\n");
    const [result] = read(text);
    expect(result?.issues).toEqual([]);
    expect(result?.row).toBe(2);
    expect(result?.records).toBe(2);
    expect(result?.item).toMatchObject({
      orderId: "or123",
      userIdType: "email",
      userId: "ann@shop.com",
      total: 102.5,
      promotions: ["WINTERSALE", "VIP"],
      createdAt: "2020-09-16T09:38:06.000Z",
      lastUpdated: null,
      paymentMethod: "Visa",
      shippingMethod: null,
    });
    expect(result?.item?.lineItems).toEqual([
      expect.objectContaining({
        id: "li1",
        name: 'Shirt, "blue"',
        categoryList: ["Men", "Shirts"],
        adult: true,
        subscriptionDuration: 15552000000,
        quantity: 1,
      }),
      expect.objectContaining({
        id: "2",
        productId: "p2",
        adult: false,
        subscriptionDuration: null,
        quantity: 2,
      }),
    ]);
  });

  it("reports each bad value with its row, field, code and value, and keeps the rest of the file", () => {
    const text = [
      HEADER,
      row({ orderId: "o1", total: "12,5" }),
      row({ orderId: "o2", currency: "EURO", createdAt: "2021-02-30T10:00:00Z" }),
      row({
        orderId: "o3",
        lineItem_status: "shipped",
        lineItem_quantity: "-1",
        lineItem_subscriptionDuration: "9223372036854775808",
      }),
      row({ orderId: "o4", userId: "" }),
      row({ orderId: "o5", lineItem_adult: "yes" }),
      row({ orderId: "o6" }),
    ].join("\r\n");
    const results = read(text);
    const summary = results.map((r) => [
      r.key,
      r.item ? "valid" : "invalid",
      r.issues.map((i) => [i.row, i.field, i.code, i.value, i.severity]),
    ]);
    expect(summary).toEqual([
      ["o1", "invalid", [[2, "total", "invalid_number", "12,5", "error"]]],
      [
        "o2",
        "invalid",
        [
          [3, "currency", "invalid_currency", "EURO", "error"],
          [3, "createdAt", "invalid_date", "2021-02-30T10:00:00Z", "error"],
        ],
      ],
      [
        "o3",
        "invalid",
        [
          [4, "lineItem_quantity", "negative_quantity", "-1", "error"],
          [4, "lineItem_subscriptionDuration", "invalid_long", "9223372036854775808", "error"],
          [4, "lineItem_status", "invalid_status", "shipped", "error"],
        ],
      ],
      ["o4", "invalid", [[5, "userId", "missing_field", null, "error"]]],
      ["o5", "invalid", [[6, "lineItem_adult", "invalid_boolean", "yes", "error"]]],
      ["o6", "valid", []],
    ]);
    expect(results[0]?.issues[0]?.message).toBe(
      '"total" must be a number, like 102.5 (with a dot for decimals); got "12,5".',
    );
  });

  it("warns, and keeps the order, when total is not subtotal + tax + shipping", () => {
    const [result] = read([HEADER, row({ orderId: "o1", total: "100" })].join("\n"));
    expect(result?.item).not.toBeNull();
    expect(result?.issues.map((i) => [i.code, i.severity, i.field])).toEqual([
      ["total_mismatch", "warning", "total"],
    ]);
  });

  it("treats an order id that comes back after another order as an issue, not a merge", () => {
    const text = [HEADER, row({ orderId: "a" }), row({ orderId: "b" }), row({ orderId: "a" })].join("\n");
    const results = read(text);
    expect(results.map((r) => [r.key, r.row, r.item ? "valid" : "invalid"])).toEqual([
      ["a", 2, "valid"],
      ["b", 3, "valid"],
      ["a", 4, "invalid"],
    ]);
    expect(results[2]?.issues[0]).toMatchObject({ code: "non_contiguous_order", item: "a", row: 4 });
  });

  it("fails the file when required columns are missing, naming a wrong-case near miss", () => {
    const header = HEADER.replace("orderId", "OrderId").replace(",lineItem_sku", "");
    expect(() => read(`${header}\n`)).toThrow(ImportFileError);
    expect(() => read(`${header}\n`)).toThrow(
      '"orderId" (the header has "OrderId": column names are case sensitive), "lineItem_sku"',
    );
  });

  it("reports rows with too many or too few fields", () => {
    const results = read([HEADER, `${row({ orderId: "a" })},extra`, "b,email"].join("\n"));
    expect(results.map((r) => r.issues[0]?.code)).toEqual(["too_many_fields", "too_few_fields"]);
  });

  it("applies transformations before validation", () => {
    const cfg = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      transformations: [{ op: "rename", from: "order_ref", to: "orderId" }],
    });
    const [result] = read(
      [HEADER.replace("orderId", "order_ref"), row({ orderId: "x1" })].join("\n"),
      50,
      cfg,
    );
    expect(result?.item?.orderId).toBe("x1");
  });

  const random = prng(42);
  const names = ["plain", 'Shirt, "blue"', "multi\nline name", "crlf\r\nname", "ünï"];
  const lines = [HEADER];
  for (let o = 1; o <= 40; o++) {
    const items = 1 + Math.floor(random() * 4);
    for (let i = 0; i < items; i++) {
      const bad = random() < 0.1;
      lines.push(
        row({
          orderId: i === 0 || random() < 0.5 ? `or${o}` : "",
          lineItem_name: names[Math.floor(random() * names.length)],
          total: bad ? "oops" : "102.5",
          lineItem_id: `li${i}`,
        }),
      );
    }
  }
  const file = `${lines.join(random() < 0.5 ? "\n" : "\r\n")}\n`;
  const whole = read(file);

  it("gives identical items and issues whatever the size of the writes", () => {
    expect(whole).toHaveLength(40);
    for (let trial = 0; trial < 60; trial++) {
      const size = 1 + Math.floor(random() * file.length);
      expect(read(file, size), `writes of ${size}`).toEqual(whole);
    }
  });

  it("splits into chunks that read exactly as the whole file", () => {
    const bytes = new TextEncoder().encode(file);
    for (const target of [1, 200, 777, 5000]) {
      const splitter = createCsvSplitter({ targetChunkBytes: target, groupColumn: "orderId" });
      for (let i = 0; i < bytes.length; i += 333) splitter.write(bytes.subarray(i, i + 333));
      const { prologueEnd, chunks } = splitter.end();
      expect(chunks[0]?.start).toBe(prologueEnd);
      expect(chunks.at(-1)?.end).toBe(bytes.length);
      for (let i = 1; i < chunks.length; i++) expect(chunks[i]?.start).toBe(chunks[i - 1]?.end);
      const prologue = new TextDecoder().decode(bytes.subarray(0, prologueEnd));
      const results = chunks.flatMap((chunk) => {
        const reader = createVelocidiReader(config, { prologue, firstRow: chunk.firstRow });
        return [
          ...reader.write(new TextDecoder().decode(bytes.subarray(chunk.start, chunk.end))),
          ...reader.end(),
        ];
      });
      expect(results, `target ${target}: ${chunks.length} chunks`).toEqual(whole);
      if (target <= 777) expect(chunks.length).toBeGreaterThan(3);
    }
  });
});
