import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ItemReader } from "../src/engine";
import { ImportFileError } from "../src/issues";
import { checkHeader, createReader, createSplitter, explainLimit, readLimits } from "../src/pipeline";

const HEADER =
  "orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,createdAt,lineItem_productId,lineItem_sku,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_status,lineItem_name";
const row = (id: string, set: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    orderId: id,
    userIdType: "email",
    userId: `${id}@shop.com`,
    currency: "EUR",
    total: "10",
    subtotal: "10",
    tax: "0",
    shipping: "0",
    discount: "0",
    refund: "0",
    createdAt: "2025-01-01T00:00:00Z",
    lineItem_productId: "p1",
    lineItem_sku: "s1",
    lineItem_currency: "EUR",
    lineItem_total: "10",
    lineItem_subtotal: "10",
    lineItem_tax: "0",
    lineItem_shipping: "0",
    lineItem_discount: "0",
    lineItem_refund: "0",
    lineItem_quantity: "1",
    lineItem_status: "placed",
    lineItem_name: "Mug",
    ...set,
  };
  return HEADER.split(",")
    .map((c) => values[c] ?? "")
    .join(",");
};
const orders = ReadConfig.parse({ type: "orders", format: "velocidi_csv" });

/** Reads text in pieces of `size` characters, as a chunk's stream gives it. */
function readAll<T>(reader: ItemReader<T>, text: string, size = text.length) {
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...reader.write(text.slice(i, i + size)));
  return [...out, ...reader.end()];
}

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (err) {
    if (err instanceof ImportFileError) return err;
    throw err;
  }
  throw new Error("no file error");
}

describe("readLimits", () => {
  it("reads MAX_RECORD_BYTES and MAX_COLUMNS, and keeps the defaults for unset or bad values", () => {
    expect(readLimits({ MAX_RECORD_BYTES: "1024", MAX_COLUMNS: "50" })).toEqual({
      maxRecordChars: 1024,
      maxColumns: 50,
    });
    expect(readLimits({})).toEqual({ maxRecordChars: 16 * 1024 * 1024, maxColumns: 10_000 });
    expect(readLimits({ MAX_RECORD_BYTES: "", MAX_COLUMNS: "-3" })).toEqual({
      maxRecordChars: 16 * 1024 * 1024,
      maxColumns: 10_000,
    });
  });
});

describe("read limits in the readers", () => {
  it("fails a CSV record over the record limit, naming its line, and the var in the explained error", () => {
    const text = [HEADER, row("or1"), row("or2", { lineItem_name: "x".repeat(5000) }), row("or3")].join("\n");
    // The CSV tokenizer holds a record to the limit while it is carried from one piece to the next.
    const err = fileError(() =>
      readAll(createReader(orders, undefined, { maxRecordChars: 1000 }), text, 500),
    );
    expect(err.code).toBe("record_too_large");
    expect(err.message).toMatch(/line 3\b/);
    expect(explainLimit(err).message).toMatch(/MAX_RECORD_BYTES/);
    // Within the default limit the same file reads.
    expect(readAll(createReader(orders), text).filter((r) => r.item)).toHaveLength(3);
  });

  it("fails a header over the column limit, naming the count and the var", () => {
    const header = `${HEADER},${Array.from({ length: 80 }, (_, i) => `x${i}`).join(",")}`;
    const err = fileError(() =>
      readAll(createReader(orders, undefined, { maxColumns: 50 }), `${header}\n${row("or1")}\n`),
    );
    expect(err.code).toBe("too_many_columns");
    expect(err.message).toMatch(/Line 1 has 103 fields; at most 50/);
    expect(explainLimit(err).message).toMatch(/MAX_COLUMNS/);
  });

  it("fails a JSON line and an XML item over the record limit", () => {
    const jsonl = ReadConfig.parse({
      type: "customers",
      format: "jsonl",
      options: { userIdField: "id", userIdType: "customer_id" },
    });
    const long = `{"id":"c1"}\n{"id":"c2","note":"${"y".repeat(3000)}"}\n`;
    const jsonErr = fileError(() => readAll(createReader(jsonl, undefined, { maxRecordChars: 1000 }), long));
    expect([jsonErr.code, jsonErr.message]).toEqual(["record_too_large", expect.stringMatching(/Line 2\b/)]);

    const rss = ReadConfig.parse({ type: "products", format: "google_rss" });
    const feed = `<rss xmlns:g="http://base.google.com/ns/1.0"><channel>\n<item><g:id>p1</g:id></item>\n<item><g:id>p2</g:id><g:description>${"z".repeat(3000)}</g:description></item>\n</channel></rss>`;
    const xmlErr = fileError(() => readAll(createReader(rss, undefined, { maxRecordChars: 1000 }), feed));
    expect([xmlErr.code, xmlErr.message]).toEqual(["record_too_large", expect.stringMatching(/line 3\b/)]);
  });

  it("fails the split of a CSV file at a record over the limit, before any chunk is read", () => {
    const text = [HEADER, row("or1"), row("or2", { lineItem_name: "x".repeat(5000) }), row("or3")].join(
      "\r\n",
    );
    const splitter = createSplitter(orders, 100, { maxRecordChars: 1000 });
    const err = fileError(() => {
      splitter.write(new TextEncoder().encode(text));
      splitter.end();
    });
    expect(err.code).toBe("record_too_large");
    expect(err.message).toMatch(/line 3 is over 1,000 bytes/);
    // The last record, without a line end, is checked too.
    const last = createSplitter(orders, 100, { maxRecordChars: 1000 });
    last.write(new TextEncoder().encode(`${HEADER}\n${row("or1", { lineItem_name: "x".repeat(5000) })}`));
    expect(fileError(() => last.end()).message).toMatch(/line 2\b/);
    // Without a limit, the same file splits.
    const free = createSplitter(orders, 100);
    free.write(new TextEncoder().encode(text));
    expect(free.end().chunks.length).toBeGreaterThan(0);
  });
});

describe("checkHeader", () => {
  it("refuses a CSV header naming a column twice, with both positions", () => {
    const err = fileError(() => checkHeader(orders, ["orderId", "total", "userId", " total"]));
    expect(err.code).toBe("duplicate_columns");
    expect(err.message).toBe(
      'The header names "total" (columns 2 and 4) more than once: which one to import is unclear. Rename or remove the extra columns.',
    );
    expect(() => checkHeader(orders, ["\uFEFForderId", "total", "", ""])).not.toThrow();
    const jsonl = ReadConfig.parse({
      type: "customers",
      format: "jsonl",
      options: { userIdField: "id", userIdType: "customer_id" },
    });
    expect(() => checkHeader(jsonl, ["id", "id"])).not.toThrow();
  });
});

describe("order files that are not CSV", () => {
  it("refuses JSON lines and XML read as velocidi_csv as wrong_format", () => {
    const json = fileError(() => readAll(createReader(orders), '{"orderId":"or1"}\n{"orderId":"or2"}\n'));
    expect([json.code, json.message]).toEqual([
      "wrong_format",
      expect.stringMatching(/looks like JSON, not CSV/),
    ]);
    const xml = fileError(() => readAll(createReader(orders), "<?xml version='1.0'?>\n<rss></rss>\n"));
    expect([xml.code, xml.message]).toEqual(["wrong_format", expect.stringMatching(/looks like XML/)]);
  });
});

describe("order user ids", () => {
  it("makes an order whose userId is 'none', or not of its type, invalid with an issue on userId", () => {
    const text = [
      HEADER,
      row("or1"),
      row("or2", { userId: "none" }),
      row("or3", { userId: "ann.shop.com" }),
      row("or4", { userIdType: "customer_id", userId: "C-4" }),
    ].join("\n");
    const results = readAll(createReader(orders), text);
    expect(
      results.map((r) => [
        r.key,
        r.item ? "valid" : "invalid",
        r.issues.map((i) => [i.row, i.field, i.code]),
      ]),
    ).toEqual([
      ["or1", "valid", []],
      ["or2", "invalid", [[3, "userId", "missing_field"]]],
      ["or3", "invalid", [[4, "userId", "invalid_id"]]],
      ["or4", "valid", []],
    ]);
  });
});
