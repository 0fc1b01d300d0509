/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ItemReader, ReadResult } from "../src/engine";
import { createCustomerCsvReader, createCustomerJsonlReader } from "../src/formats/customers";
import { ImportFileError } from "../src/issues";
import type { CustomerRecord } from "../src/items";
import CSV from "./fixtures/customers/customers.csv?raw";
import JSONL from "./fixtures/customers/customers.jsonl?raw";
import { seededRandom as mulberry32 } from "./support/random";

const config = (format: "csv" | "jsonl", extra: Partial<ReadConfig> = {}) =>
  ReadConfig.parse({
    type: "customers",
    format,
    options: { userIdField: "email", userIdType: "email" },
    transformations: [
      { op: "rename", from: "number_of_orders", to: "orders", values: [{ type: "cast", to: "integer" }] },
      {
        op: "copy",
        from: "signup",
        to: "signupAt",
        values: [{ type: "timestamp", pattern: "yyyy/MM/dd HH:mm" }],
      },
    ],
    ...extra,
  });

function readAll<T>(reader: ItemReader<T>, text: string, random?: () => number, maxSize = text.length) {
  const results: ReadResult<T>[] = [];
  if (!random) results.push(...reader.write(text));
  else
    for (let i = 0; i < text.length; ) {
      const size = 1 + Math.floor(random() * maxSize);
      results.push(...reader.write(text.slice(i, i + size)));
      i += size;
    }
  results.push(...reader.end());
  return results;
}

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}

const summary = (results: ReadResult<CustomerRecord>[]) =>
  results.map((r) => [
    r.row,
    r.key,
    r.item === null ? "invalid" : "valid",
    r.issues.map((i) => `${i.code}:${i.field}:${i.value}`),
  ]);

describe("customers from CSV", () => {
  it("reads each record: the id from userIdField, every other field (transformed) as text attributes", () => {
    const reader = createCustomerCsvReader(config("csv"));
    const results = readAll(reader, CSV);
    expect(reader.columns).toEqual(["email", "name", "number_of_orders", "signup", "notes"]);
    expect(results[0]).toEqual({
      row: 2,
      key: "ann@example.com",
      records: 1,
      issues: [],
      item: {
        ids: [{ type: "email", value: "ann@example.com" }],
        attributes: {
          name: "Ann",
          orders: 3,
          signup: "2021/01/21 14:25",
          signupAt: "2021-01-21T14:25:00Z",
          notes: 'likes "tea"\r\nand cake',
        },
      },
    });
    expect(results[2]?.item?.attributes).toEqual({
      name: "Bob",
      orders: null,
      signup: "2021/02/01 08:30",
      signupAt: "2021-02-01T08:30:00Z",
      notes: "",
    });
    expect(summary(results)).toEqual([
      [2, "ann@example.com", "valid", []],
      [4, null, "invalid", ["missing_field:email:null"]],
      [5, "bob@example.com", "valid", []],
      [6, null, "invalid", ["missing_field:email:NONE"]],
      [7, "carol@example.com", "invalid", ["cast_failed:orders:2.5"]],
      [8, "dan@example.com", "invalid", ["timestamp_failed:signupAt:21-02-2021"]],
      [9, "not-an-email", "invalid", ["invalid_id:email:not-an-email"]],
      [11, "fay@example.com", "invalid", ["too_many_fields:null:null"]],
    ]);
  });

  it("words its issues for a business user and sets the item key on each", () => {
    const results = readAll(createCustomerCsvReader(config("csv")), CSV);
    expect(results[1]?.issues).toEqual([
      {
        row: 4,
        item: null,
        field: "email",
        code: "missing_field",
        severity: "error",
        message: '"email" is empty: every customer record needs a user id.',
        value: null,
      },
    ]);
    expect(results[4]?.issues[0]).toMatchObject({ item: "carol@example.com", row: 7 });
    expect(results[7]?.issues[0]?.message).toBe("Line 11 has 6 fields; the header has 5.");
  });

  it("gives identical items and issues for any chunk sizes (seeded random)", () => {
    const whole = readAll(createCustomerCsvReader(config("csv")), CSV);
    for (let seed = 1; seed <= 30; seed++) {
      const random = mulberry32(seed);
      const max = seed % 3 === 0 ? CSV.length : 1 + Math.floor(random() * 20);
      expect(readAll(createCustomerCsvReader(config("csv")), CSV, random, max)).toEqual(whole);
    }
  });

  it("reads a chunk after the header prologue with rows from firstRow", () => {
    const lines = CSV.split("\r\n");
    const chunk = `${lines.slice(4).join("\r\n")}`;
    const results = readAll(
      createCustomerCsvReader(config("csv"), { prologue: `${lines[0]}\r\n`, firstRow: 5 }),
      chunk,
    );
    expect(summary(results)[0]).toEqual([5, "bob@example.com", "valid", []]);
  });

  it("reads a chunk with the line end of the file's header, not the first one of the chunk", () => {
    // CRLF line ends; a bare LF inside an unquoted value is text, not a line end.
    const header = "email,note\r\n";
    const text = `${header}ann@example.com,one\nline\r\nbob@example.com,two\r\n`;
    const whole = readAll(createCustomerCsvReader(config("csv")), text);
    expect(whole.map((r) => r.item?.attributes)).toEqual([{ note: "one\nline" }, { note: "two" }]);
    const chunk = readAll(
      createCustomerCsvReader(config("csv"), { prologue: header, firstRow: 2 }),
      text.slice(header.length),
    );
    expect(chunk).toEqual(whole);
  });

  it("finds the id column after a rename", () => {
    const results = readAll(
      createCustomerCsvReader(
        config("csv", { transformations: [{ op: "rename", from: "E-mail", to: "email" }] }),
      ),
      "E-mail,tier\nann@example.com,gold\n",
    );
    expect(results.map((r) => r.item)).toEqual([
      { ids: [{ type: "email", value: "ann@example.com" }], attributes: { tier: "gold" } },
    ]);
  });

  it("refuses a header without the id column, naming it and a near miss", () => {
    const error = fileError(() => readAll(createCustomerCsvReader(config("csv")), "Email,name\na@b.c,Ann\n"));
    expect(error.code).toBe("missing_columns");
    expect(error.message).toBe(
      'The file has no column "email" (options.userIdField). Did you mean "Email"? Column names are case-sensitive.',
    );
  });

  it("hints at the delimiter when the header is one column", () => {
    const error = fileError(() => readAll(createCustomerCsvReader(config("csv")), "mail;name\na@b.c;Ann\n"));
    expect(error.message).toContain('is the delimiter ";"? Set options.delimiter.');
  });

  it("reads another delimiter", () => {
    const results = readAll(
      createCustomerCsvReader(
        config("csv", { options: { userIdField: "email", userIdType: "email", delimiter: ";" } }),
      ),
      "email;name\nann@example.com;Ann\n",
    );
    expect(results[0]?.item?.attributes).toEqual({ name: "Ann" });
  });

  it("reports a quote left open at the end of the file on the record where it starts", () => {
    const results = readAll(
      createCustomerCsvReader(config("csv")),
      'email,name\nann@example.com,Ann\nbob@example.com,"Bob\n',
    );
    expect(summary(results)).toEqual([
      [2, "ann@example.com", "valid", []],
      [3, "bob@example.com", "invalid", ["unterminated_quote:null:null"]],
    ]);
  });

  it("skips rows of empty fields, before the header too, instead of reporting a missing user id", () => {
    const text =
      ',,\r\nemail,name,tier\r\nann@example.com,Ann,gold\r\n,,\r\n  ,"",\r\nbob@example.com,Bob,\r\n,,\r\n';
    const results = readAll(createCustomerCsvReader(config("csv")), text);
    expect(summary(results)).toEqual([
      [3, "ann@example.com", "valid", []],
      [6, "bob@example.com", "valid", []],
    ]);
  });

  it("refuses JSON given as CSV", () => {
    const error = fileError(() => readAll(createCustomerCsvReader(config("csv")), '{"email":"a@b.c"}\n'));
    expect(error.code).toBe("wrong_format");
    expect(error.message).toBe(
      'The file looks like JSON, not CSV: its first line starts with "{". For one JSON object per line, set the import\'s format to jsonl.',
    );
  });
});

describe("customers from JSON lines", () => {
  it("keeps JSON types and nested objects, and reports each broken line on its own", () => {
    const reader = createCustomerJsonlReader(config("jsonl"));
    const results = readAll(reader, JSONL);
    expect(reader.columns).toEqual(["email", "name", "number_of_orders", "vip", "address", "tags"]);
    expect(results[0]?.item).toEqual({
      ids: [{ type: "email", value: "ann@example.com" }],
      attributes: {
        name: "Ann",
        orders: 3,
        vip: true,
        address: { city: "Lisbon", zip: "1000" },
        tags: ["a", "b"],
      },
    });
    expect(results[1]?.item).toEqual({
      ids: [{ type: "email", value: "bob@example.com" }],
      attributes: { name: "Bob", orders: null },
    });
    expect(summary(results)).toEqual([
      [1, "ann@example.com", "valid", []],
      [2, "  Bob@Example.com ", "valid", []],
      [4, null, "invalid", ["missing_field:email:null"]],
      [5, null, "invalid", ["missing_field:email:none"]],
      [6, "carol@example.com", "invalid", ["cast_failed:orders:2.5"]],
      [7, null, "invalid", ['invalid_json:null:{"email": broken json}']],
      [8, null, "invalid", ['not_an_object:null:["not","an","object"]']],
      [9, "12345", "invalid", ["invalid_id:email:12345"]],
      [10, null, "invalid", ['invalid_id:email:{"nested":true}']],
    ]);
    expect(results[2]?.issues[0]?.message).toBe('"email" is missing: every customer record needs a user id.');
    expect(results[3]?.issues[0]?.message).toBe(
      '"email" is "none", which is not a user id: every customer record needs one.',
    );
  });

  it("gives identical items and issues for any chunk sizes (seeded random)", () => {
    const whole = readAll(createCustomerJsonlReader(config("jsonl")), JSONL);
    for (let seed = 1; seed <= 30; seed++) {
      const random = mulberry32(seed);
      const max = seed % 3 === 0 ? JSONL.length : 1 + Math.floor(random() * 20);
      expect(readAll(createCustomerJsonlReader(config("jsonl")), JSONL, random, max)).toEqual(whole);
    }
  });

  it('keeps a field named "__proto__" as an attribute, without touching the prototype', () => {
    const [result] = readAll(
      createCustomerJsonlReader(
        config("jsonl", { transformations: [{ op: "copy", from: "__proto__", to: "p" }] }),
      ),
      '{"email":"ann@example.com","__proto__":{"admin":true}}\n',
    );
    const attributes = result?.item?.attributes ?? {};
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(["__proto__", "p"]);
    expect(attributes.p).toEqual({ admin: true });
  });

  it("accepts any id type, and numbers as ids", () => {
    const results = readAll(
      createCustomerJsonlReader(
        config("jsonl", { options: { userIdField: "id", userIdType: "loyalty_card" } }),
      ),
      '{"id":778,"tier":"gold"}\n',
    );
    expect(results[0]?.item).toEqual({
      ids: [{ type: "loyalty_card", value: "778" }],
      attributes: { tier: "gold" },
    });
  });

  it("reports a number user id JSON cannot keep exactly as written, instead of another user", () => {
    const results = readAll(
      createCustomerJsonlReader(
        config("jsonl", { options: { userIdField: "id", userIdType: "customer_id" }, transformations: [] }),
      ),
      '{"id":12345678901234567890,"tier":"gold"}\n{"id":9007199254740993}\n{"id":-9007199254740991}\n{"id":1e400}\n',
    );
    expect(summary(results)).toEqual([
      [1, "12345678901234567890", "invalid", ["invalid_id:id:12345678901234567890"]],
      [2, "9007199254740993", "invalid", ["invalid_id:id:9007199254740993"]],
      [3, "-9007199254740991", "valid", []],
      [4, "1e400", "invalid", ["invalid_id:id:1e400"]],
    ]);
    expect(results[0]?.issues[0]?.message).toBe(
      '"id" is the number 12345678901234567890, larger than 9007199254740991, the largest whole number JSON keeps exactly, so its digits would change: write the id in quotes, as "12345678901234567890".',
    );
    expect(results[3]?.issues[0]?.message).toBe(
      '"id" is the number 1e400, beyond the numbers JSON can hold: write the id in quotes, as "1e400".',
    );
  });

  it("reports an attribute read as Infinity, at any depth, never storing a silent null", () => {
    const results = readAll(
      createCustomerJsonlReader(config("jsonl")),
      '{"email":"ann@example.com","score":1e400,"stats":{"max":-1e400,"min":1}}\n',
    );
    expect(summary(results)).toEqual([
      [1, "ann@example.com", "invalid", ["invalid_number:score:1e400", "invalid_number:stats.max:-1e400"]],
    ]);
    expect(results[0]?.issues[0]?.message).toBe(
      '"score" is 1e400, beyond the numbers JSON can hold (about ±1.8e308), and would be stored as null: write it in quotes to keep it as text.',
    );
  });

  it("refuses a file that is clearly not JSON lines", () => {
    const error = fileError(() => readAll(createCustomerJsonlReader(config("jsonl")), CSV));
    expect(error.code).toBe("wrong_format");
    expect(error.message).toBe(
      'The file is not JSON lines: it starts with "email,name,number_of_orders,signup,notes" and none of its first lines is a JSON object. It looks like CSV. Check the import\'s format.',
    );
  });
});
