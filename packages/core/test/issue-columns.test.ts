import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { createReader, headerWarnings } from "../src/pipeline";
import { fieldColumns } from "../src/transform/index";

// An issue names the field a format reads; when a transformation filled that field from a column
// of another name, the issue also names the column as the file writes it.

const read = (config: unknown, text: string) => {
  const reader = createReader(ReadConfig.parse(config));
  return [...reader.write(text), ...reader.end()].flatMap((result) => result.issues);
};

describe("fieldColumns", () => {
  it("follows renames and copies back to the file's column", () => {
    const columns = fieldColumns(
      ["Customer Email", "Total (EUR)", "Fecha", "sku"],
      [
        { op: "rename", from: "Customer Email", to: "mail" },
        { op: "rename", from: "mail", to: "userId" },
        { op: "copy", from: "Total (EUR)", to: "total" },
        { op: "rename", from: "Fecha", to: "createdAt" },
        { op: "add", field: "createdAt", value: "2024-01-01" },
        { op: "rename", from: "Missing", to: "currency" },
        { op: "rename", from: "sku", to: "sku" },
      ],
    );
    expect([...columns]).toEqual([
      ["userId", "Customer Email"],
      ["total", "Total (EUR)"],
    ]);
  });
});

describe("issues of a reader", () => {
  it("name the CSV column a rename mapped onto the field, and only that one", () => {
    const issues = read(
      {
        type: "customers",
        format: "csv",
        options: { userIdField: "email", userIdType: "email" },
        transformations: [
          { op: "rename", from: "Customer Email", to: "email" },
          { op: "rename", from: "Orders", to: "orders", values: [{ type: "cast", to: "integer" }] },
        ],
      },
      "Customer Email,Orders,age\nnot-an-email,many,3\n",
    );
    expect(issues.map((i) => [i.field, i.column, i.code])).toEqual([
      ["orders", "Orders", "cast_failed"],
      ["email", "Customer Email", "invalid_id"],
    ]);
  });

  it("name a JSON line's key, and an XML feed's element as transformations name it", () => {
    const jsonl = read(
      {
        type: "customers",
        format: "jsonl",
        options: { userIdField: "email", userIdType: "email" },
        transformations: [{ op: "rename", from: "E-mail", to: "email" }],
      },
      '{"E-mail":"ann@x.com"}\n{"E-mail":"nope"}\n',
    );
    expect(jsonl.map((i) => [i.row, i.field, i.column])).toEqual([[2, "email", "E-mail"]]);
    const rss = read(
      {
        type: "products",
        format: "google_rss",
        transformations: [{ op: "rename", from: "preco", to: "price" }],
      },
      `<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><item><g:id>p1</g:id><title>Mug</title>
<description>A mug</description><link>https://x.com/p1</link><g:image_link>https://x.com/p1.jpg</g:image_link>
<g:availability>in_stock</g:availability><g:preco>cheap</g:preco></item></channel></rss>`,
    );
    expect(rss.map((i) => [i.field, i.column, i.code])).toEqual([["price", "preco", "invalid_price"]]);
  });

  it("leave `column` out where no transformation moved the field", () => {
    const plain = read(
      { type: "customers", format: "csv", options: { userIdField: "email", userIdType: "email" } },
      "email\nnope\n",
    );
    expect(plain[0]).not.toHaveProperty("column");
  });
});

describe("headerWarnings", () => {
  it("name the column a rename gave a name the format ignores", () => {
    const config = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      transformations: [{ op: "rename", from: "Product Name", to: "lineItem_nmae" }],
    });
    expect(
      headerWarnings(config, ["orderId", "Product Name"]).map((i) => [i.field, i.column, i.code]),
    ).toEqual([["lineItem_nmae", "Product Name", "unknown_column"]]);
  });
});
