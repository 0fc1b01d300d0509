/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import type { ItemReader, ReadResult } from "../src/engine";
import { createProductReader, parsePrice } from "../src/formats/products";
import { ImportFileError } from "../src/issues";
import type { Product } from "../src/items";
import { createCsvSplitter } from "../src/split-csv";
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

const G = 'xmlns:g="http://base.google.com/ns/1.0"';
const REQUIRED = `<g:id>P1</g:id><g:image_link>https://x.test/p.jpg</g:image_link><g:availability>in_stock</g:availability><g:price>5.00 EUR</g:price>`;
const rssItem = (body: string) =>
  `<rss ${G} version="2.0"><channel>\n<item>${REQUIRED}<link>https://x.test/p</link>${body}</item>\n</channel></rss>`;

describe("Google feeds: text fields with inline markup", () => {
  it("reads a text field as its text content: inline markup dropped, its text kept in order", () => {
    const [result] = read(
      "google_rss",
      rssItem(
        "<title>Tee <i>new</i></title><description>Soft <b>cotton</b> tee,\n <em>100%</em> <b>organic</b></description><g:brand><span>Acme</span></g:brand><g:color> Blue <b>sky</b> </g:color>",
      ),
    );
    expect(result?.issues).toEqual([]);
    expect(result?.item).toMatchObject({
      title: "Tee new",
      description: "Soft cotton tee,\n 100% organic",
      brand: "Acme",
      color: "Blue sky",
    });
  });

  it("reads an extra element with text beside its markup as text; a nested one stays an object", () => {
    const [result] = read(
      "google_rss",
      rssItem(
        "<title>T</title><description>D</description><g:custom_label_0>Big <b>sale</b></g:custom_label_0><g:shipping><g:country>US</g:country><g:service>Express <i>2 days</i></g:service></g:shipping>",
      ),
    );
    expect(result?.item?.extra).toEqual({
      custom_label_0: "Big sale",
      shipping: { country: "US", service: "Express 2 days" },
    });
  });

  it("reads Atom xhtml text as its text content, and html text as the HTML it escapes", () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" ${G}>
<entry><title type="html">Tom &amp;amp; Jerry</title><link href="https://x.test/p"/>
<summary type="xhtml">
  <div xmlns="http://www.w3.org/1999/xhtml">Nice <b>thing</b></div>
</summary>${REQUIRED}</entry>
<entry><title type="text">T</title><link href="https://x.test/p"/><summary type="html">Soft &lt;b&gt;cotton&lt;/b&gt; tee</summary>${REQUIRED}</entry>
</feed>`;
    const results = read("google_atom", atom);
    expect(results.map((r) => [r.item?.title, r.item?.description, r.issues])).toEqual([
      ["Tom &amp; Jerry", "Nice thing", []],
      ["T", "Soft <b>cotton</b> tee", []],
    ]);
  });
});

describe("Google feeds: namespaces", () => {
  it("reads Atom written with a prefix, and a default namespace bound to Google", () => {
    const atom = `<?xml version="1.0"?>
<atom:feed xmlns:atom="http://www.w3.org/2005/Atom" xmlns:google="http://base.google.com/ns/1.0">
  <atom:entry>
    <atom:id>tag:x.test,2026:p1</atom:id>
    <atom:title>Prefixed</atom:title>
    <atom:link rel="self" href="https://x.test/api/p1"/>
    <atom:link href="https://x.test/p1"/>
    <atom:summary>A summary</atom:summary>
    <google:id>P1</google:id>
    <image_link xmlns="http://base.google.com/ns/1.0">https://x.test/p1.jpg</image_link>
    <google:availability>in_stock</google:availability>
    <google:price>5.00 EUR</google:price>
  </atom:entry>
</atom:feed>`;
    const reader = createProductReader(config("google_atom"));
    const results = readAll(reader, atom);
    expect(summary(results)).toEqual([[3, "P1", "valid", []]]);
    expect(results[0]?.item).toEqual({
      id: "P1",
      title: "Prefixed",
      link: "https://x.test/p1",
      description: "A summary",
      imageLink: "https://x.test/p1.jpg",
      availability: "in_stock",
      price: { amount: 5, currency: "EUR" },
    });
    expect(reader.columns).toEqual([
      "id",
      "title",
      "link",
      "summary",
      "g:id",
      "g:image_link",
      "g:availability",
      "g:price",
    ]);
  });

  it("keeps an Atom link inside an RSS item apart from the item's own link", () => {
    const [result] = read(
      "google_rss",
      `<rss ${G} xmlns:atom="http://www.w3.org/2005/Atom"><channel><item><atom:link rel="self" href="https://x.test/self"/><link xmlns="http://www.w3.org/2005/Atom" rel="self" href="https://x.test/self"/>${REQUIRED}<link>https://x.test/p</link><title>T</title><description>D</description></item></channel></rss>`,
    );
    expect(result?.issues).toEqual([]);
    expect(result?.item?.link).toBe("https://x.test/p");
  });
});

describe("Google feeds: product types and currencies", () => {
  it("keeps every product_type: the first as productType, the whole list under extra", () => {
    const results = read(
      "google_rss",
      `<rss ${G}><channel>
<item>${REQUIRED}<title>T</title><description>D</description><link>https://x.test/p</link><g:product_type>A &gt; B</g:product_type><g:product_type> C </g:product_type></item>
<item>${REQUIRED}<title>T</title><description>D</description><link>https://x.test/p</link><g:product_type>Only</g:product_type></item>
</channel></rss>`,
    );
    expect(results.map((r) => [r.item?.productType, r.item?.extra])).toEqual([
      ["A > B", { product_type: ["A > B", "C"] }],
      ["Only", undefined],
    ]);
  });

  it("reports a price whose currency is not an ISO 4217 code, as orders do", () => {
    const [result] = read(
      "google_rss",
      rssItem("<title>T</title><description>D</description><g:sale_price>4.00 XYZ</g:sale_price>"),
    );
    const results = read(
      "google_tsv",
      "id\ttitle\tdescription\tlink\timage_link\tavailability\tprice\nP1\tT\tD\tL\tI\tin_stock\t15.00 XYZ\nP2\tT\tD\tL\tI\tin_stock\t15.00 eur\n",
    );
    expect(
      [result, ...results].map((r) => [
        r?.item === null ? "invalid" : "valid",
        r?.issues.map((i) => i.message),
      ]),
    ).toEqual([
      ["invalid", ['"sale_price" must have an ISO 4217 currency code, like EUR or USD; got "4.00 XYZ".']],
      ["invalid", ['"price" must have an ISO 4217 currency code, like EUR or USD; got "15.00 XYZ".']],
      ["valid", []],
    ]);
    expect(result?.issues.map((i) => [i.code, i.field, i.value, i.item])).toEqual([
      ["invalid_currency", "sale_price", "4.00 XYZ", "P1"],
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

  it("reads quotes as text unless they enclose a whole field: an inch mark, a title starting with a quote", () => {
    const header = "id\ttitle\tdescription\tlink\timage_link\tavailability\tprice";
    const product = (id: string, title: string, description = "Hot") =>
      [
        id,
        title,
        description,
        `https://p.example/${id}`,
        `https://p.example/${id}.jpg`,
        "in_stock",
        "15.00 USD",
      ].join("\t");
    const text = `${[
      header,
      product("A1", '12" pizza'),
      product("A2", '"Best" pizza'),
      product("A3", "Plain", '"Two\tparts, ""quoted"""'),
      product("A4", 'Pan 12"', '"Multi\nline"'),
      product("A5", "Last"),
      "\t\t\t\t\t\t",
    ].join("\n")}\n`;
    const results = read("google_tsv", text);
    expect(summary(results)).toEqual([
      [2, "A1", "valid", []],
      [3, "A2", "valid", []],
      [4, "A3", "valid", []],
      [5, "A4", "valid", []],
      [7, "A5", "valid", []],
    ]);
    expect(results.map((r) => [r.item?.title, r.item?.description])).toEqual([
      ['12" pizza', "Hot"],
      ['"Best" pizza', "Hot"],
      ["Plain", 'Two\tparts, "quoted"'],
      ['Pan 12"', "Multi\nline"],
      ["Last", "Hot"],
    ]);
    for (let size = 1; size < 40; size += 3)
      expect(readAll(createProductReader(config("google_tsv")), text, mulberry32(size), size)).toEqual(
        results,
      );
    // Cut in chunks by the splitter with the same quoting, it reads as the whole file.
    for (const targetChunkBytes of [1, 60, 200]) {
      const splitter = createCsvSplitter({ targetChunkBytes, delimiter: "\t", wholeFieldQuotes: true });
      const bytes = new TextEncoder().encode(text);
      splitter.write(bytes);
      const { prologueEnd, chunks } = splitter.end();
      const prologue = text.slice(0, prologueEnd);
      const pieces = chunks.flatMap((chunk) =>
        readAll(
          createProductReader(config("google_tsv"), { prologue, firstRow: chunk.firstRow }),
          new TextDecoder().decode(bytes.subarray(chunk.start, chunk.end)),
        ),
      );
      expect(chunks.length).toBeGreaterThan(targetChunkBytes === 200 ? 1 : 4);
      expect(pieces, `target ${targetChunkBytes}`).toEqual(results);
    }
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

describe("JSON-lines product ids and numbers JSON cannot keep", () => {
  it("reports a number id beyond 2^53 as written, telling to quote it, instead of another id", () => {
    const results = read(
      "jsonl",
      '{"id":12345678901234567890,"title":"Big"}\n{"id":9007199254740991}\n{"id":"12345678901234567890"}\n{"id":1.5}\n',
    );
    expect(summary(results)).toEqual([
      [1, "12345678901234567890", "invalid", ["invalid_id:id:12345678901234567890"]],
      [2, "9007199254740991", "valid", []],
      [3, "12345678901234567890", "valid", []],
      [4, "1.5", "invalid", ["invalid_id:id:1.5"]],
    ]);
    expect(results[0]?.issues[0]?.message).toBe(
      '"id" is the number 12345678901234567890, larger than 9007199254740991, the largest whole number JSON keeps exactly, so its digits would change: write the id in quotes, as "12345678901234567890".',
    );
  });

  it("reports a number read as Infinity rather than storing null", () => {
    const results = read("jsonl", '{"id":"p1","weight":1e400,"dims":[1,-1e400]}\n{"id":1e999}\n');
    expect(summary(results)).toEqual([
      [1, "p1", "invalid", ["invalid_number:weight:1e400", "invalid_number:dims[1]:-1e400"]],
      [2, "1e999", "invalid", ["invalid_id:id:1e999"]],
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
