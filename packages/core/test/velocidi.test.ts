import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ReadResult } from "../src/engine";
import { IdSet } from "../src/formats/orders-common";
import { createVelocidiReader } from "../src/formats/velocidi";
import { ImportFileError } from "../src/issues";
import type { Order } from "../src/items";
import { csvCell, readRandomly, readText } from "./fixtures/orders/support";
import { seededRandom } from "./support/random";

const HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,paymentMethod,shippingMethod,shippingCountry,promotions,createdAt,lastUpdated,lineItem_id,lineItem_productId,lineItem_itemGroupId,lineItem_name,lineItem_sku,lineItem_brand,lineItem_category,lineItem_categoryList,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_promotions,lineItem_adult,lineItem_subscriptionDuration,lineItem_size,lineItem_sizeSystem,lineItem_status";
const COLUMNS = HEADER.split(",");

type Row = Partial<Record<string, string>>;
/** The product description's example values: a valid order row. */
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
  shippingMethod: "UPS",
  shippingCountry: "France",
  promotions: "WINTERSALE",
  createdAt: "2020-09-16T10:38:06+0100",
  lastUpdated: "2020-09-16T20:13:31+0100",
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
const row = (values: Row, base: Row = DEFAULTS) =>
  COLUMNS.map((c) => csvCell(values[c] ?? base[c] ?? "")).join(",");
/** A continuation row: only the line item columns. */
const lineRow = (values: Row) =>
  row(
    values,
    Object.fromEntries(Object.entries(DEFAULTS).filter(([column]) => column.startsWith("lineItem_"))),
  );
const config = ReadConfig.parse({ type: "orders", format: "velocidi_csv" });
const read = (text: string, size = text.length, cfg = config) =>
  readText(createVelocidiReader, cfg, text, size);

const summary = (results: ReadResult<Order>[]) =>
  results.map((r) => [
    r.key,
    r.row,
    r.item ? "valid" : "invalid",
    r.issues.map((i) => [i.row, i.field, i.code, i.value, i.severity]),
  ]);

describe("velocidi_csv", () => {
  it("reads an order with its line items, every type converted", () => {
    const text = [
      HEADER,
      row({
        orderId: "or123",
        promotions: "WINTERSALE; VIP",
        lineItem_id: "li125zc",
        lineItem_itemGroupId: "p125",
        lineItem_name: 'Shirt, "blue"',
        lineItem_brand: "Nike",
        lineItem_category: "Men > Shirts > Short Sleeve Shirts",
        lineItem_categoryList: "Men;Shirts;Short Sleeve Shirts",
        lineItem_promotions: "WINTERSALE",
        lineItem_adult: "true",
        lineItem_subscriptionDuration: "15552000000",
        lineItem_size: "S",
        lineItem_sizeSystem: "EU",
      }),
      lineRow({
        lineItem_productId: "p2",
        lineItem_sku: "p2-s",
        lineItem_quantity: "2",
        lineItem_adult: "FALSE",
      }),
    ].join("\n");
    const [result, ...rest] = read(text);
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ key: "or123", row: 2, records: 2, issues: [] });
    expect(result?.item).toEqual({
      orderId: "or123",
      userIdType: "email",
      userId: "ann@shop.com",
      currency: "EUR",
      total: 102.5,
      subtotal: 85,
      tax: 11.5,
      shipping: 6,
      discount: 5,
      refund: 0,
      paymentMethod: "Visa",
      shippingMethod: "UPS",
      shippingCountry: "France",
      promotions: ["WINTERSALE", "VIP"],
      createdAt: "2020-09-16T09:38:06.000Z",
      lastUpdated: "2020-09-16T19:13:31.000Z",
      lineItems: [
        {
          id: "li125zc",
          productId: "p125zc",
          itemGroupId: "p125",
          name: 'Shirt, "blue"',
          sku: "p125zc-5",
          brand: "Nike",
          category: "Men > Shirts > Short Sleeve Shirts",
          categoryList: ["Men", "Shirts", "Short Sleeve Shirts"],
          currency: "EUR",
          total: 102.5,
          subtotal: 85,
          tax: 11.5,
          shipping: 6,
          discount: 5,
          refund: 0,
          quantity: 1,
          promotions: ["WINTERSALE"],
          adult: true,
          subscriptionDuration: 15552000000,
          size: "S",
          sizeSystem: "EU",
          status: "fulfilled",
        },
        // No lineItem_id: its position in the order; empty Boolean, Long and lists: their defaults.
        expect.objectContaining({
          id: "2",
          productId: "p2",
          sku: "p2-s",
          name: null,
          categoryList: [],
          promotions: [],
          quantity: 2,
          adult: false,
          subscriptionDuration: null,
        }),
      ],
    });
  });

  it("reads dates with any ISO 8601 offset, and a date without one as UTC", () => {
    const dates = [
      ["2020-09-16T10:38:06+0100", "2020-09-16T09:38:06.000Z"],
      ["2020-09-16T10:38:06+01:00", "2020-09-16T09:38:06.000Z"],
      ["2020-09-16T10:38:06Z", "2020-09-16T10:38:06.000Z"],
      ["2020-09-16T10:38:06.25-02:30", "2020-09-16T13:08:06.250Z"],
      ["2020-09-16T10:38:06", "2020-09-16T10:38:06.000Z"],
      ["2020-02-29T23:30:00-0100", "2020-03-01T00:30:00.000Z"],
    ];
    const text = [HEADER, ...dates.map(([createdAt], i) => row({ orderId: `o${i}`, createdAt }))].join("\n");
    expect(read(text).map((r) => r.item?.createdAt)).toEqual(dates.map(([, utc]) => utc));
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
      row({ orderId: "o5", lineItem_adult: "yes", lineItem_quantity: "1.5" }),
      row({ orderId: "o6", lastUpdated: "16/09/2020 10:00", discount: "NaN", refund: "Infinity" }),
      row({ orderId: "o7", lineItem_currency: "eur", lineItem_status: "Paid" }),
      row({ orderId: "o8" }),
    ].join("\r\n");
    const results = read(text);
    expect(summary(results)).toEqual([
      ["o1", 2, "invalid", [[2, "total", "invalid_number", "12,5", "error"]]],
      [
        "o2",
        3,
        "invalid",
        [
          [3, "currency", "invalid_currency", "EURO", "error"],
          [3, "createdAt", "invalid_date", "2021-02-30T10:00:00Z", "error"],
        ],
      ],
      [
        "o3",
        4,
        "invalid",
        [
          [4, "lineItem_quantity", "negative_quantity", "-1", "error"],
          [4, "lineItem_subscriptionDuration", "invalid_long", "9223372036854775808", "error"],
          [4, "lineItem_status", "invalid_status", "shipped", "error"],
        ],
      ],
      ["o4", 5, "invalid", [[5, "userId", "missing_field", null, "error"]]],
      [
        "o5",
        6,
        "invalid",
        [
          [6, "lineItem_quantity", "invalid_integer", "1.5", "error"],
          [6, "lineItem_adult", "invalid_boolean", "yes", "error"],
        ],
      ],
      [
        "o6",
        7,
        "invalid",
        [
          [7, "discount", "invalid_number", "NaN", "error"],
          [7, "refund", "invalid_number", "Infinity", "error"],
          [7, "lastUpdated", "invalid_date", "16/09/2020 10:00", "error"],
        ],
      ],
      [
        "o7",
        8,
        "invalid",
        [
          [8, "lineItem_currency", "invalid_currency", "eur", "error"],
          [8, "lineItem_status", "invalid_status", "Paid", "error"],
        ],
      ],
      ["o8", 9, "valid", []],
    ]);
    const messages = results.flatMap((r) => r.issues.map((i) => i.message));
    expect(messages).toContain('"total" must be a number, like 102.5 (with a dot for decimals); got "12,5".');
    expect(messages).toContain('"createdAt" must be a date and time that exist; got "2021-02-30T10:00:00Z".');
    expect(messages).toContain(
      '"lineItem_subscriptionDuration" must be a whole number up to 9007199254740991; got "9223372036854775808".',
    );
    expect(messages).toContain('"lineItem_quantity" cannot be negative; got -1.');
    expect(messages).toContain('"userId" is required but empty.');
    expect(messages).toContain(
      '"lineItem_status" must be one of placed, paid, fulfilled, refunded, cancelled; got "shipped".',
    );
    for (const issue of results.flatMap((r) => r.issues)) expect(issue.item).toBe(`o${(issue.row ?? 0) - 1}`);
  });

  it("keeps the largest exact Long, and reads a continuation row's missing required field on its own row", () => {
    const largest = String(Number.MAX_SAFE_INTEGER);
    const text = [
      HEADER,
      row({ orderId: "o1", lineItem_subscriptionDuration: largest }),
      lineRow({ lineItem_sku: "", lineItem_total: "" }),
    ].join("\n");
    const [result] = read(text);
    expect(result?.issues.map((i) => [i.row, i.field, i.code, i.value])).toEqual([
      [3, "lineItem_sku", "missing_field", null],
      [3, "lineItem_total", "missing_field", null],
    ]);
    expect(result?.item).toBeNull();
    const [valid] = read([HEADER, row({ orderId: "o1", lineItem_subscriptionDuration: largest })].join("\n"));
    expect(valid?.item?.lineItems[0]?.subscriptionDuration).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("continues an order on rows that repeat its id or leave it empty", () => {
    const text = [
      HEADER,
      row({ orderId: "a" }),
      lineRow({ orderId: "a", lineItem_id: "x" }),
      lineRow({ lineItem_id: "y" }),
      row({ orderId: "b" }),
    ].join("\n");
    const results = read(text);
    expect(results.map((r) => [r.key, r.row, r.records, r.item?.lineItems.map((l) => l.id)])).toEqual([
      ["a", 2, 3, ["1", "x", "y"]],
      ["b", 5, 1, ["1"]],
    ]);
  });

  it("skips the rows of empty fields a spreadsheet leaves at the end, keeping the last order valid", () => {
    const blank = ",".repeat(COLUMNS.length - 1);
    const text = [
      HEADER,
      row({ orderId: "a" }),
      blank,
      row({ orderId: "b" }),
      lineRow({ lineItem_id: "y" }),
      blank,
      "  ",
      '"",,""',
      blank,
      "",
      row({ orderId: "c", lineItem_quantity: "x" }),
      blank,
      blank,
    ].join("\n");
    const results = read(text);
    expect(summary(results)).toEqual([
      ["a", 2, "valid", []],
      ["b", 4, "valid", []],
      ["c", 11, "invalid", [[11, "lineItem_quantity", "invalid_integer", "x", "error"]]],
    ]);
    // stats.rowsRead counts each order's records: the rows of empty fields are none.
    expect(results.map((r) => r.records)).toEqual([1, 2, 1]);
    expect(results[1]?.item?.lineItems.map((l) => l.id)).toEqual(["1", "y"]);
    for (const size of [1, 7, 100]) expect(read(text, size)).toEqual(results);
  });

  it("treats an order id that comes back after another order as an issue of that later group, not a merge", () => {
    const text = [
      HEADER,
      row({ orderId: "a" }),
      row({ orderId: "b" }),
      row({ orderId: "a" }),
      lineRow({}),
    ].join("\n");
    const results = read(text);
    expect(summary(results)).toEqual([
      ["a", 2, "valid", []],
      ["b", 3, "valid", []],
      ["a", 4, "invalid", [[4, "orderId", "non_contiguous_order", "a", "error"]]],
    ]);
    expect(results[2]?.records).toBe(2);
    expect(results[2]?.issues[0]?.message).toMatch(/rows of order "a" are not together/);
  });

  it("reports a continuation row that disagrees with its order, or repeats a line item id, instead of merging it", () => {
    // Row 4 lost its orderId: it is another customer's line item, of another day, with the id of one above.
    const text = [
      HEADER,
      row({ orderId: "a", lineItem_id: "li1" }),
      lineRow({ lineItem_id: "li2", userId: "ANN@shop.com", total: "102.50" }),
      row({ orderId: "", userId: "bob@shop.com", createdAt: "2020-10-01T09:00:00Z", lineItem_id: "li1" }),
      row({ orderId: "b" }),
    ].join("\n");
    const results = read(text);
    expect(summary(results)).toEqual([
      [
        "a",
        2,
        "invalid",
        [
          [4, "userId", "conflicting_value", "bob@shop.com", "error"],
          [4, "createdAt", "conflicting_value", "2020-10-01T09:00:00Z", "error"],
          [4, "lineItem_id", "duplicate_line_item", "li1", "error"],
        ],
      ],
      ["b", 5, "valid", []],
    ]);
    expect(results[0]?.issues.map((i) => i.message)).toEqual([
      'Row 4 continues order "a" but its "userId" is "bob@shop.com", not "ann@shop.com" as on row 2, where the order starts: is this row\'s orderId missing?',
      'Row 4 continues order "a" but its "createdAt" is "2020-10-01T09:00:00Z", not "2020-09-16T10:38:06+0100" as on row 2, where the order starts: is this row\'s orderId missing?',
      '"lineItem_id" "li1" is already a line item of this order: each line item of an order has its own id. Is this row\'s orderId missing?',
    ]);
    for (const size of [1, 9, 100]) expect(read(text, size)).toEqual(results);
  });

  it("reads a built-in id type written in another case as that type, so that it is checked and hashed", () => {
    const text = [HEADER, row({ orderId: "a", userIdType: " Email", userId: "Ann@Shop.com" })].join("\n");
    expect(read(text)[0]?.item).toMatchObject({ userIdType: "email", userId: "Ann@Shop.com" });
    const custom = [HEADER, row({ orderId: "b", userIdType: "Loyalty", userId: "L-1" })].join("\n");
    expect(read(custom)[0]?.item).toMatchObject({ userIdType: "Loyalty" });
  });

  it("names the column a rename made the order id in non_contiguous_order", () => {
    const renamed = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      transformations: [{ op: "rename", from: "Order Number", to: "orderId" }],
    });
    const text = [
      HEADER.replace("orderId", "Order Number"),
      row({ orderId: "a" }),
      row({ orderId: "b" }),
      row({ orderId: "a" }),
    ].join("\n");
    const issue = read(text, text.length, renamed)[2]?.issues[0];
    expect(issue).toMatchObject({ field: "orderId", code: "non_contiguous_order", value: "a", row: 4 });
    expect(issue?.message).toContain('its orderId (column "Order Number") appeared earlier');
  });

  it("remembers every order id of a long file: a return after thousands of orders is still caught", () => {
    const lines = [HEADER];
    for (let o = 0; o < 6000; o++) lines.push(row({ orderId: `order-${o}` }));
    lines.push(row({ orderId: "order-17" }), row({ orderId: "order-6000" }));
    const results = read(lines.join("\n"));
    expect(results).toHaveLength(6002);
    expect(results.filter((r) => r.item === null).map((r) => [r.key, r.row, r.issues[0]?.code])).toEqual([
      ["order-17", 6002, "non_contiguous_order"],
    ]);
  });

  it("keeps order ids exactly: no two different ids are taken for one", () => {
    const ids = new IdSet();
    const random = seededRandom(3);
    const added: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = `${Math.floor(random() * 1e9).toString(36)}${random() < 0.1 ? "é€" : ""}`;
      expect(ids.add(id)).toBe(!added.includes(id));
      if (!added.includes(id)) added.push(id);
    }
    expect(ids.size).toBe(added.length);
    for (const id of added) expect(ids.has(id)).toBe(true);
    for (const id of ["", "x", `${added[0]}x`, (added[1] ?? "").slice(1)])
      expect(ids.has(id)).toBe(added.includes(id));
  });

  it("warns, and keeps the order, when total is not subtotal + tax + shipping, to the cent", () => {
    const text = [
      HEADER,
      row({ orderId: "o1", total: "100" }),
      lineRow({ lineItem_total: "102.51" }),
      // 0.1 + 0.2 is not 0.3 in floating point, but it is to the cent.
      row({
        orderId: "o2",
        total: "0.3",
        subtotal: "0.1",
        tax: "0.2",
        shipping: "0",
        lineItem_total: "102.504",
      }),
      // An unreadable subtotal is its own issue; no mismatch on top of it.
      row({ orderId: "o3", subtotal: "n/a" }),
    ].join("\n");
    expect(summary(read(text))).toEqual([
      [
        "o1",
        2,
        "valid",
        [
          [2, "total", "total_mismatch", "100", "warning"],
          [3, "lineItem_total", "total_mismatch", "102.51", "warning"],
        ],
      ],
      ["o2", 4, "valid", []],
      ["o3", 5, "invalid", [[5, "subtotal", "invalid_number", "n/a", "error"]]],
    ]);
    expect(read(text)[0]?.issues[0]?.message).toBe('"total" (100) is not subtotal + tax + shipping (102.5).');
  });

  it("fails the file when required columns are missing, naming each one and a wrong-case near miss", () => {
    const header = HEADER.replace("orderId", "OrderId").replace(",lineItem_sku", "");
    const attempt = () => read(`${header}\n${row({})}\n`);
    expect(attempt).toThrow(ImportFileError);
    expect(attempt).toThrow(
      'The file is missing required columns: "orderId", "lineItem_sku". "orderId" is missing; the header has "OrderId" — column names are case sensitive.',
    );
    expect(attempt).toThrow(expect.objectContaining({ code: "missing_columns" }));
  });

  it("ignores unknown columns and reads the known ones by name, in any order", () => {
    const columns = [...COLUMNS].reverse().concat("note");
    const values: Row = { ...DEFAULTS, orderId: "o1", note: "ignored" };
    const text = `${columns.join(",")}\n${columns.map((c) => csvCell(values[c] ?? "")).join(",")}\n`;
    const [result] = read(text);
    expect(result?.issues).toEqual([]);
    expect(result?.item?.orderId).toBe("o1");
    expect(result?.item).not.toHaveProperty("note");
  });

  it("reports a row with too many or too few fields once, on that row", () => {
    const results = read(
      [HEADER, `${row({ orderId: "a" })},extra`, "b,email,x@y.z", row({ orderId: "c" })].join("\n"),
    );
    expect(summary(results)).toEqual([
      ["a", 2, "invalid", [[2, null, "too_many_fields", null, "error"]]],
      ["b", 3, "invalid", [[3, null, "too_few_fields", null, "error"]]],
      ["c", 4, "valid", []],
    ]);
    expect(results[1]?.issues[0]?.message).toBe(`Line 3 has 3 fields; the header has ${COLUMNS.length}.`);
  });

  it("counts multi-line quoted fields, CRLF and CR line ends in rows", () => {
    for (const newline of ["\n", "\r\n", "\r"]) {
      const text = [
        HEADER,
        row({ orderId: "o1", lineItem_name: "two\nlines" }),
        lineRow({ lineItem_name: "three\r\nlines\rhere" }),
        "",
        row({ orderId: "o2", lineItem_quantity: "x" }),
      ].join(newline);
      expect(
        read(text).map((r) => [r.key, r.row, r.issues.map((i) => i.row)]),
        JSON.stringify(newline),
      ).toEqual([
        ["o1", 2, []],
        ["o2", 8, [8]],
      ]);
    }
  });

  it("reports quoting problems as issues of the record's order", () => {
    const results = read(
      [HEADER, row({ orderId: "o1" }).replace("UPS", 'U"P"S'), `${row({ orderId: "o2" })},"open`].join("\n"),
    );
    expect(summary(results)).toEqual([
      // A quote inside an unquoted field is text: the order is read, with a warning.
      ["o1", 2, "valid", [[2, null, "stray_quote", null, "warning"]]],
      [
        "o2",
        3,
        "invalid",
        [
          [3, null, "unterminated_quote", null, "error"],
          [3, null, "too_many_fields", null, "error"],
        ],
      ],
    ]);
  });

  it("applies transformations before validation, accepting the numbers a cast makes", () => {
    const cfg = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      transformations: [
        { op: "rename", from: "order_ref", to: "orderId" },
        { op: "rename", from: "qty", to: "lineItem_quantity", values: [{ type: "cast", to: "integer" }] },
        { op: "copy", from: "lineItem_total", to: "total", values: [{ type: "cast", to: "float" }] },
        { op: "add", field: "lineItem_adult", value: true },
      ],
    });
    const header = HEADER.replace("orderId", "order_ref")
      .replace("lineItem_quantity", "qty")
      .replace(",lineItem_adult", "");
    const values: Row = { ...DEFAULTS, order_ref: "x1", qty: "3", total: "0" };
    const line = header
      .split(",")
      .map((c) => csvCell(values[c] ?? ""))
      .join(",");
    const [result] = read(`${header}\n${line}\n`, 50, cfg);
    expect(result?.issues).toEqual([]);
    expect(result?.item).toMatchObject({ orderId: "x1", total: 102.5 });
    expect(result?.item?.lineItems[0]).toMatchObject({ quantity: 3, adult: true });
    // A cast that fails is the transformation's issue, on the row.
    const [bad] = read(`${header}\n${line.replace(",3,", ",three,")}\n`, 50, cfg);
    expect(bad?.issues.map((i) => [i.row, i.field, i.code])).toContainEqual([
      2,
      "lineItem_quantity",
      "cast_failed",
    ]);
    expect(bad?.item).toBeNull();
  });

  it("reads a chunk from its position: the header as prologue, rows numbered from firstRow", () => {
    const reader = createVelocidiReader(config, { prologue: `${HEADER}\r\n`, firstRow: 40 });
    const chunk = `${row({ orderId: "o9", lineItem_name: "a\nb" })}\r\n${row({ orderId: "o10", total: "x" })}\r\n`;
    const results = [...reader.write(chunk), ...reader.end()];
    expect(results.map((r) => [r.key, r.row, r.issues.map((i) => i.row)])).toEqual([
      ["o9", 40, []],
      ["o10", 42, [42]],
    ]);
    expect(reader.columns).toEqual(COLUMNS);
  });

  it("fails an empty file, and reads a file of only a header as no orders", () => {
    expect(() => read("")).toThrow(/no header line/);
    expect(read(`${HEADER}\n`)).toEqual([]);
  });

  it("gives identical items and issues whatever the size of the writes", () => {
    const random = seededRandom(42);
    const names = ["plain", 'Shirt, "blue"', "multi\nline name", "crlf\r\nname", "ünï", "cr\ronly"];
    const lines = [HEADER];
    for (let o = 1; o <= 50; o++) {
      const items = 1 + Math.floor(random() * 4);
      for (let i = 0; i < items; i++) {
        const values: Row = {
          orderId: i === 0 || random() < 0.5 ? `or${o}` : "",
          lineItem_name: names[Math.floor(random() * names.length)],
          total: random() < 0.1 ? "oops" : "102.5",
          lineItem_id: `li${i}`,
          lineItem_total: random() < 0.1 ? "1" : "102.5",
        };
        lines.push(i === 0 ? row(values) : lineRow(values));
        if (random() < 0.03) lines.push("");
      }
    }
    const file = `${lines.join(random() < 0.5 ? "\n" : "\r\n")}\n`;
    const whole = read(file);
    expect(whole).toHaveLength(50);
    expect(whole.filter((r) => r.item === null).length).toBeGreaterThan(0);
    expect(whole.some((r) => r.issues.some((i) => i.severity === "warning"))).toBe(true);
    for (let trial = 0; trial < 150; trial++) {
      const size = 1 + Math.floor(random() * (trial % 3 === 0 ? 16 : file.length));
      expect(read(file, size), `writes of ${size}`).toEqual(whole);
    }
    for (let trial = 0; trial < 50; trial++)
      expect(readRandomly(createVelocidiReader, config, file, random)).toEqual(whole);
  });
});
