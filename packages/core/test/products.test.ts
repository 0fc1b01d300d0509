/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ItemReader, ReadResult } from "../src/engine";
import { createProductReader, parsePrice } from "../src/formats/products";
import { ImportFileError } from "../src/issues";
import type { Product } from "../src/items";
import ATOM from "./fixtures/products/feed.atom.xml?raw";
import RSS from "./fixtures/products/feed.rss.xml?raw";
import TSV from "./fixtures/products/feed.tsv?raw";
import JSONL from "./fixtures/products/products.jsonl?raw";
import { seededRandom as mulberry32 } from "./support/random";

type ProductFormat = "google_rss" | "google_atom" | "google_tsv" | "jsonl";
const config = (format: ProductFormat, transformations: ReadConfig["transformations"] = []) =>
  ReadConfig.parse({ type: "products", format, transformations });

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

const read = (format: ProductFormat, text: string) => readAll(createProductReader(config(format)), text);

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}

const summary = (results: ReadResult<Product>[]) =>
  results.map((r) => [
    r.row,
    r.key,
    r.item === null ? "invalid" : "valid",
    r.issues.map((i) => `${i.code}:${i.field}:${i.value}`),
  ]);

describe("Google RSS", () => {
  it("maps Google attributes to camelCase fields, the others under extra", () => {
    const [first] = read("google_rss", RSS);
    expect(first?.item).toEqual({
      id: "TSHIRT-1",
      title: "Tom & Jerry T-shirt",
      description: "Soft <b>cotton</b> tee",
      link: "https://shop.example.com/tshirt-1",
      imageLink: "https://shop.example.com/tshirt-1.jpg",
      availability: "in_stock",
      price: { amount: 15, currency: "USD" },
      salePrice: { amount: 12.5, currency: "USD" },
      brand: "Acme",
      gtin: "3234567890126",
      mpn: "TS-1",
      condition: "new",
      itemGroupId: "TSHIRT",
      googleProductCategory: "Apparel & Accessories > Clothing",
      productType: "Men > Shirts > T-shirts",
      color: "Blue",
      size: "M",
      gender: "male",
      ageGroup: "adult",
      adult: false,
      extra: {
        additional_image_link: [
          "https://shop.example.com/tshirt-1-b.jpg",
          "https://shop.example.com/tshirt-1-c.jpg",
        ],
        custom_label_0: "summer",
        shipping: { country: "US", price: "4.95 USD" },
      },
    });
  });

  it("takes RSS's own title, link and description, and reads 'in stock' as in_stock", () => {
    const [, mug] = read("google_rss", RSS);
    expect(mug?.item).toEqual({
      id: "MUG-1",
      title: "Plain RSS title",
      link: "https://shop.example.com/mug",
      description: "A mug",
      imageLink: "https://shop.example.com/mug.jpg",
      availability: "in_stock",
      price: { amount: 8, currency: "EUR" },
    });
  });

  it("reports each problem of an item once, with the line where the item starts", () => {
    const results = read("google_rss", RSS);
    expect(summary(results)).toEqual([
      [7, "TSHIRT-1", "valid", []],
      [36, "MUG-1", "valid", []],
      [
        45,
        "BROKEN-1",
        "invalid",
        [
          "missing_field:description:null",
          "missing_field:link:null",
          "missing_field:image_link:null",
          "invalid_enum:availability:sold_out",
          "invalid_price:price:12,50 EUR",
          "invalid_enum:condition:mint",
          "invalid_boolean:adult:maybe",
        ],
      ],
      [
        53,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "invalid",
        ["invalid_xml:null:null", "value_too_long:id:ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ"],
      ],
    ]);
    const broken = results[2]?.issues ?? [];
    expect(broken.map((i) => i.message)).toEqual([
      '"description" is missing: Google product data requires it.',
      '"link" is missing: Google product data requires it.',
      '"image_link" is missing: Google product data requires it.',
      '"availability" must be one of in_stock, out_of_stock, preorder, backorder; got "sold_out".',
      '"price" must be an amount and a currency code, like "15.00 USD"; got "12,50 EUR".',
      '"condition" must be one of new, refurbished, used; got "mint".',
      '"adult" must be yes or no; got "maybe".',
    ]);
    expect(broken.every((i) => i.item === "BROKEN-1" && i.row === 45 && i.severity === "error")).toBe(true);
    expect(results[3]?.issues[1]?.message).toBe('"id" has 52 characters; Google allows at most 50.');
  });

  it("lists the element names seen as columns", () => {
    const reader = createProductReader(config("google_rss"));
    readAll(reader, RSS);
    expect(reader.columns.slice(0, 4)).toEqual(["g:id", "g:title", "g:description", "g:link"]);
    expect(reader.columns).toContain("title");
  });

  it("refuses an Atom feed given as RSS", () => {
    const error = fileError(() => read("google_rss", ATOM));
    expect(error.code).toBe("wrong_format");
    expect(error.message).toBe("The file's root element is <feed>, not <rss>: check the import's format.");
  });

  it("applies transformations to the Google attribute names", () => {
    const [first] = readAll(
      createProductReader(
        config("google_rss", [
          { op: "rename", from: "custom_label_0", to: "brand" },
          { op: "delete", field: "additional_image_link" },
        ]),
      ),
      RSS,
    );
    expect(first?.item?.brand).toBe("summer");
    expect(first?.item?.extra).toEqual({ shipping: { country: "US", price: "4.95 USD" } });
  });

  it("reads a chunk after its prologue", () => {
    const start = RSS.indexOf("    <item>\n      <title>Plain") + 4;
    const results = readAll(
      createProductReader(config("google_rss"), {
        prologue: RSS.slice(0, RSS.indexOf("<item>")),
        firstRow: 36,
      }),
      RSS.slice(start),
    );
    expect(summary(results).map((s) => s.slice(0, 3))).toEqual([
      [36, "MUG-1", "valid"],
      [45, "BROKEN-1", "invalid"],
      [53, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ", "invalid"],
    ]);
  });
});

describe("Google Atom", () => {
  it("takes Atom's title, link href (not rel=self) and summary, and ignores Atom's own id", () => {
    const results = read("google_atom", ATOM);
    expect(results[0]?.item).toEqual({
      id: "TSHIRT-1",
      title: "Atom T-shirt",
      link: "https://shop.example.com/tshirt-1",
      description: "Soft cotton tee",
      imageLink: "https://shop.example.com/tshirt-1.jpg",
      availability: "preorder",
      price: { amount: 15, currency: "USD" },
    });
    expect(summary(results)).toEqual([
      [6, "TSHIRT-1", "valid", []],
      [18, null, "invalid", ["missing_field:id:null"]],
    ]);
  });
});

describe("Google TSV", () => {
  it("reads the header's attribute names; an empty cell is no value", () => {
    const results = read("google_tsv", TSV);
    expect(results[0]?.item).toEqual({
      id: "TSHIRT-1",
      title: "Tab T-shirt",
      description: "Soft cotton tee",
      link: "https://shop.example.com/tshirt-1",
      imageLink: "https://shop.example.com/tshirt-1.jpg",
      availability: "in_stock",
      price: { amount: 15, currency: "USD" },
      brand: "Acme",
      extra: { custom_label_0: "summer" },
    });
    expect(summary(results)).toEqual([
      [2, "TSHIRT-1", "valid", []],
      [3, "MUG-1", "invalid", ["invalid_price:price:8.00"]],
    ]);
  });

  it("reads a chunk with the line end of the file's header, not the first one of the chunk", () => {
    // CRLF line ends; a bare LF inside a value is text, not a line end.
    const lines = TSV.split("\n").filter((line) => line !== "");
    const header = `${lines[0]}\r\n`;
    const text = `${header}${(lines[1] ?? "").replace("Soft cotton tee", "Soft\ncotton tee")}\r\n${lines[2]}\r\n`;
    const whole = read("google_tsv", text);
    expect(whole[0]?.item?.description).toBe("Soft\ncotton tee");
    const chunk = readAll(
      createProductReader(config("google_tsv"), { prologue: header, firstRow: 2 }),
      text.slice(header.length),
    );
    expect(chunk).toEqual(whole);
  });

  it("refuses a header without Google's required columns", () => {
    const error = fileError(() => read("google_tsv", "id\ttitle\nA\tB\n"));
    expect(error.code).toBe("missing_columns");
    expect(error.message).toBe(
      'The file has no columns "description", "link", "image_link", "availability", "price": Google product data requires id, title, description, link, image_link, availability, price.',
    );
  });

  it("refuses XML given as TSV", () => {
    expect(fileError(() => read("google_tsv", RSS)).code).toBe("wrong_format");
  });
});

describe("JSON-lines products", () => {
  it("keeps the products' own fields and types; only id is required", () => {
    const results = read("jsonl", JSONL);
    expect(results.map((r) => r.item)).toEqual([
      { id: "p1", title: "Shirt", price: 10, categories: ["men", "shirts"] },
      { id: "42", name: "Numeric id" },
      null,
      null,
    ]);
    expect(summary(results).slice(2)).toEqual([
      [3, null, "invalid", ["missing_field:id:null"]],
      [4, null, "invalid", ["missing_field:id:null"]],
    ]);
  });
});

describe("every product reader", () => {
  it.each([
    ["google_rss", RSS],
    ["google_atom", ATOM],
    ["google_tsv", TSV],
    ["jsonl", JSONL],
  ] as const)("gives identical items and issues for any chunk sizes: %s", (format, text) => {
    const whole = read(format, text);
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const max = seed % 3 === 0 ? text.length : 1 + Math.floor(random() * 25);
      expect(readAll(createProductReader(config(format)), text, random, max)).toEqual(whole);
    }
  });
});

describe("parsePrice", () => {
  it.each([
    ["15.00 USD", { amount: 15, currency: "USD" }],
    ["USD 15.5", { amount: 15.5, currency: "USD" }],
    [" 3 eur ", { amount: 3, currency: "EUR" }],
    ["15.00", null],
    ["12,50 EUR", null],
    ["-1 USD", null],
    ["15 dollars", null],
  ])("%s → %j", (text, price) => {
    expect(parsePrice(text)).toEqual(price);
  });
});
