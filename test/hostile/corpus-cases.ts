import { gzipSync } from "node:zlib";
import { zipFile } from "../sources/archives";
import { RSS_FEED, VELOCIDI_HEADER } from "../support/files";

/**
 * The bad-input corpus: files a customer may really send (wrong encodings, broken structure,
 * impossible values, another format than the one named, bombs and entities), each with what a
 * user should see after uploading it and running the import. The limits below are those of the
 * stack the corpus runs against (corpus.test.ts), set low so that each limit shows.
 */
export const CORPUS_LIMITS = {
  MAX_FILE_BYTES: 12 * 1024 * 1024,
  MAX_DECOMPRESSED_BYTES: 12 * 1024 * 1024,
  MAX_RECORD_BYTES: 1024 * 1024,
  MAX_COLUMNS: 1000,
  MAX_STORED_ISSUES_PER_RUN: 50,
} as const;

export type ImportType = "orders" | "customers" | "products";

/** A stored item the run must have written, read back through the public API. */
export interface StoredItem {
  path: string;
  /** Fields the stored item has (objects by key; arrays whole, element by element). */
  match?: Record<string, unknown>;
  /** Rows this item adds to the store, counted in its shards (see storedRows). */
  rows: { orders?: number; lineItems?: number; products?: number; profiles?: number };
}

export type Outcome =
  | {
      status: "failed";
      code: string;
      /** Every pattern must be found in error.message: the line, the column, the limit... */
      message: RegExp[];
      /** Items that must not be in the store (a refused file imports nothing). */
      absent?: string[];
    }
  | {
      status: "completed";
      /** Exact stats (those given). */
      stats: { itemsRead: number; itemsValid: number; itemsInvalid: number; rowsRead?: number };
      /** Every issue of the run, in file order: [row, code] or [row, code, field]. */
      issues: ([number, string] | [number, string, string | null])[];
      /** Patterns each issue message must match, by index of `issues`. */
      issueMessages?: Record<number, RegExp[]>;
      /** Every valid item of the input. */
      stored: StoredItem[];
      /** Invalid items of the input: not in the store. */
      absent?: string[];
      /** How many issues the run counted when more than are stored (the cap). */
      issuesTotal?: number;
    };

export interface CorpusCase {
  name: string;
  /** What a user expects, in words. */
  expected: string;
  type: ImportType;
  format: string;
  filename: string;
  options?: Record<string, unknown>;
  /** The file's bytes (built when the case runs). */
  build: (ctx: CaseContext) => string | Uint8Array<ArrayBuffer>;
  /** upload (default): signed-URL PUT; url: served by the test's HTTP server. */
  via?: "upload" | "url";
  outcome: Outcome;
}

export interface CaseContext {
  /** Base URL of a local HTTP server that records every request it gets (XXE cases). */
  trapUrl: string;
}

// ---------------------------------------------------------------------------------------------
// Builders

const COLUMNS = VELOCIDI_HEADER.split(",");

const DEFAULTS: Record<string, string> = {
  userIdType: "email",
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
  lineItem_itemGroupId: "g1",
  lineItem_name: "Shirt",
  lineItem_brand: "Nike",
  lineItem_category: "Men > Shirts",
  lineItem_categoryList: "Men;Shirts",
  lineItem_currency: "EUR",
  lineItem_total: "102.5",
  lineItem_subtotal: "85",
  lineItem_tax: "11.5",
  lineItem_shipping: "6",
  lineItem_discount: "5",
  lineItem_refund: "0",
  lineItem_quantity: "1",
  lineItem_promotions: "",
  lineItem_adult: "false",
  lineItem_subscriptionDuration: "",
  lineItem_size: "S",
  lineItem_sizeSystem: "EU",
  lineItem_status: "fulfilled",
};

/** A Velocidi CSV row of order `id`, line item `n`, with some columns set. */
function row(id: string, n = 1, set: Record<string, string> = {}, columns = COLUMNS): string {
  const values: Record<string, string> = {
    ...DEFAULTS,
    orderId: id,
    userId: `${id}@example.com`,
    lineItem_id: `li${n}`,
    lineItem_productId: `p${n}`,
    lineItem_sku: `sku${n}`,
    ...set,
  };
  return columns.map((column) => values[column] ?? "").join(",");
}

/** A Velocidi CSV file: the header, then the rows, each ended by `eol`. */
function velocidi(rows: string[], eol = "\n", header = VELOCIDI_HEADER): string {
  return [header, ...rows].map((line) => line + eol).join("");
}

/**
 * An order of the file, stored with exactly its line items: `li1` unless the match names them
 * (each row of the builders above is line item 1 of its order). Its buyer is a profile of its own.
 */
const order = (id: string, match: Record<string, unknown> = {}): StoredItem => {
  const lineItems = (match.lineItems as unknown[] | undefined) ?? [{ id: "li1" }];
  return {
    path: `/v1/orders/${encodeURIComponent(id)}`,
    match: { orderId: id, ...match, lineItems },
    rows: { orders: 1, lineItems: lineItems.length, profiles: 1 },
  };
};
/** A profile of the file, with exactly the one id it was imported with. */
const profile = (type: string, value: string, match: Record<string, unknown> = {}): StoredItem => ({
  path: `/v1/profiles/${type}/${encodeURIComponent(value)}`,
  match: { ids: [{ type, value }], ...match },
  rows: { profiles: 1 },
});
const product = (id: string, match: Record<string, unknown> = {}): StoredItem => ({
  path: `/v1/products/${encodeURIComponent(id)}`,
  match: { id, ...match },
  rows: { products: 1 },
});

/** The rows `stored` adds to an empty tenant's store: what its shards must hold afterwards. */
export function storedRows(stored: StoredItem[]): {
  orders: number;
  lineItems: number;
  products: number;
  profiles: number;
} {
  const sum = (key: keyof StoredItem["rows"]) => stored.reduce((n, item) => n + (item.rows[key] ?? 0), 0);
  return {
    orders: sum("orders"),
    lineItems: sum("lineItems"),
    products: sum("products"),
    profiles: sum("profiles"),
  };
}

const bytes = (...parts: (string | number[] | Uint8Array)[]): Uint8Array<ArrayBuffer> =>
  new Uint8Array(
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p)))),
  );

/** Three good orders (or1–or3): the usual body of a case, around the bad line. */
const three = () => [row("or1"), row("or2"), row("or3")];
const storedThree = () => [order("or1"), order("or2"), order("or3")];

const PRODUCT_ITEM = (id: string, description: string) => `<item>
  <g:id>${id}</g:id>
  <g:title>Mug ${id}</g:title>
  <g:description>${description}</g:description>
  <g:link>https://shop.example/${id}</g:link>
  <g:image_link>https://shop.example/${id}.jpg</g:image_link>
  <g:availability>in_stock</g:availability>
  <g:price>15.00 USD</g:price>
</item>`;

const rss = (doctype: string, items: string[]) => `<?xml version="1.0"?>
${doctype}
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
<channel>
<title>Shop</title>
${items.join("\n")}
</channel>
</rss>
`;

/** The line of `needle` in `text` (1-based). */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

function xxeFeed(trapUrl: string): string {
  const doctype = `<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "${trapUrl}/secret.txt">
  <!ENTITY % param SYSTEM "${trapUrl}/evil.dtd">
  %param;
]>`;
  return rss(doctype, [
    PRODUCT_ITEM("x1", "Leak: &xxe;"),
    PRODUCT_ITEM("x2", "Fetch: &remote;"),
    PRODUCT_ITEM("x3", "Plain &amp; safe"),
  ]);
}

function laughsFeed(): string {
  const entities = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++)
    entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? "" : i - 1};`.repeat(10)}">`);
  return rss(`<!DOCTYPE lolz [\n${entities.join("\n")}\n]>`, [
    PRODUCT_ITEM("b1", "&lol9;"),
    PRODUCT_ITEM("b2", "A mug"),
  ]);
}

const bigItemFeed = (description: string) =>
  rss("", [PRODUCT_ITEM("i1", "ok"), PRODUCT_ITEM("i2", description), PRODUCT_ITEM("i3", "ok")]);

const customersCsv = (lines: string[]) => `email,name,tier\n${lines.join("\n")}\n`;
const CUSTOMER_OPTIONS = { userIdField: "email", userIdType: "email" };

// ---------------------------------------------------------------------------------------------
// The cases

export const CASES: CorpusCase[] = [
  // Encoding ----------------------------------------------------------------------------------
  {
    name: "encoding/latin1-read-as-utf8",
    expected: "failed: names the encoding, line 3 and how to set options.encoding",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () =>
      new Uint8Array(
        Buffer.from(
          velocidi([row("or1"), row("or2", 1, { lineItem_name: "Café crème" }), row("or3")]),
          "latin1",
        ),
      ),
    outcome: {
      status: "failed",
      code: "invalid_encoding",
      message: [/UTF-8/, /line 3\b/, /iso-8859-1|windows-1252/],
      absent: ["/v1/orders/or1"],
    },
  },
  {
    name: "encoding/latin1-declared",
    expected: "completed: the Latin-1 name is read as written",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    options: { encoding: "iso-8859-1" },
    build: () =>
      new Uint8Array(
        Buffer.from(velocidi([row("or1"), row("or2", 1, { lineItem_name: "Café crème" })]), "latin1"),
      ),
    outcome: {
      status: "completed",
      stats: { itemsRead: 2, itemsValid: 2, itemsInvalid: 0 },
      issues: [],
      stored: [order("or1"), order("or2", { lineItems: [{ id: "li1", name: "Café crème" }] })],
    },
  },
  {
    name: "encoding/truncated-utf8-at-end",
    expected: "failed: names the truncated UTF-8 character and its line",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    // The file ends with the first byte of a two-byte character ("é" is C3 A9).
    build: () => bytes(velocidi(three()), row("or4"), [0xc3]),
    outcome: { status: "failed", code: "invalid_encoding", message: [/UTF-8/, /line 5\b/] },
  },
  {
    name: "encoding/utf16le-without-bom",
    expected: "failed: says the file looks like UTF-16 and how to declare it",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => new Uint8Array(Buffer.from(velocidi(three()), "utf16le")),
    outcome: { status: "failed", code: "invalid_encoding", message: [/UTF-16/, /utf-16le/] },
  },
  {
    name: "encoding/utf16le-declared",
    expected: "completed: a UTF-16LE file without BOM imports when its encoding is set",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    options: { encoding: "utf-16le" },
    build: () => new Uint8Array(Buffer.from(velocidi(three()), "utf16le")),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 3, itemsInvalid: 0 },
      issues: [],
      stored: storedThree(),
    },
  },
  {
    name: "encoding/nul-byte",
    expected: "failed: names the NUL byte and its line",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => bytes(velocidi([row("or1"), row("or2")]), row("or3"), [0], "\n"),
    outcome: { status: "failed", code: "invalid_encoding", message: [/NUL/, /line 4\b/] },
  },

  // Structure ---------------------------------------------------------------------------------
  {
    name: "structure/utf8-bom",
    expected: "completed: the BOM is no part of the first column name",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => bytes([0xef, 0xbb, 0xbf], velocidi(three())),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 3, itemsInvalid: 0 },
      issues: [],
      stored: storedThree(),
    },
  },
  {
    name: "structure/crlf",
    expected: "completed: CRLF line ends; the bad row's issue names line 3",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), row("or2", 1, { total: "abc" }), row("or3")], "\r\n"),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[3, "invalid_number", "total"]],
      stored: [order("or1"), order("or3", { lineItems: [{ id: "li1", status: "fulfilled" }] })],
      absent: ["/v1/orders/or2"],
    },
  },
  {
    name: "structure/cr-only",
    expected: "completed: old-Mac CR line ends; the bad row's issue names line 4",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), row("or2"), row("or3", 1, { total: "abc" })], "\r"),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[4, "invalid_number", "total"]],
      stored: [order("or1"), order("or2", { lineItems: [{ id: "li1", status: "fulfilled" }] })],
      absent: ["/v1/orders/or3"],
    },
  },
  {
    name: "structure/blank-lines-between-rows",
    expected: "completed: blank lines are skipped and still counted in the issue's line (4)",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), "", row("or2", 1, { total: "x" }), "", row("or3")]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[4, "invalid_number", "total"]],
      stored: [order("or1"), order("or3")],
      absent: ["/v1/orders/or2"],
    },
  },
  {
    name: "structure/header-only",
    expected: "completed: nothing to import, no issue",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => `${VELOCIDI_HEADER}\n`,
    outcome: {
      status: "completed",
      stats: { itemsRead: 0, itemsValid: 0, itemsInvalid: 0 },
      issues: [],
      stored: [],
    },
  },
  {
    name: "structure/empty-file",
    expected: "failed: the file is empty",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => "",
    outcome: { status: "failed", code: "empty_file", message: [/empty/] },
  },
  {
    name: "structure/blank-file",
    expected: "failed: a file of blank lines has no content",
    type: "customers",
    format: "csv",
    filename: "customers.csv",
    options: CUSTOMER_OPTIONS,
    build: () => "\n\n  \r\n\n",
    outcome: { status: "failed", code: "empty_file", message: [/no content|empty/] },
  },
  {
    name: "structure/missing-header-column",
    expected: "failed: names the missing column",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => {
      const columns = COLUMNS.filter((c) => c !== "currency");
      return velocidi(
        three().map((_, i) => row(`or${i + 1}`, 1, {}, columns)),
        "\n",
        columns.join(","),
      );
    },
    outcome: { status: "failed", code: "missing_columns", message: [/"currency"/] },
  },
  {
    name: "structure/duplicated-header-column",
    expected: "failed: names the column given twice and where",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => {
      const columns = [...COLUMNS, "total"];
      return velocidi(
        three().map((_, i) => row(`or${i + 1}`, 1, {}, columns)),
        "\n",
        columns.join(","),
      );
    },
    outcome: { status: "failed", code: "duplicate_columns", message: [/"total"/, /columns 5 and 39/] },
  },
  {
    name: "structure/wrong-case-header",
    expected: "failed: names orderId as missing and points at OrderId",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi(three(), "\n", VELOCIDI_HEADER.replace("orderId", "OrderId")),
    outcome: { status: "failed", code: "missing_columns", message: [/"orderId"/, /OrderId/] },
  },
  {
    name: "structure/too-many-fields",
    expected: "completed: the row with an extra field is an issue of line 3; the others are stored",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), `${row("or2")},extra`, row("or3")]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[3, "too_many_fields"]],
      stored: [order("or1"), order("or3")],
      absent: ["/v1/orders/or2"],
    },
  },
  {
    name: "structure/too-few-fields",
    expected: "completed: the short row is an issue of line 2; the others are stored",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1").split(",").slice(0, 20).join(","), row("or2"), row("or3")]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[2, "too_few_fields"]],
      stored: [order("or2"), order("or3")],
      absent: ["/v1/orders/or1"],
    },
  },
  {
    name: "structure/unterminated-quote-at-eof",
    expected: "completed: the last record's open quote is an issue of line 4; the rows before are stored",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => `${velocidi([row("or1"), row("or2")])}${row("or3", 1, { lineItem_name: '"Shirt, blue' })}\n`,
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      // The open quote takes the rest of the file into one field, so the record is short too.
      issues: [
        [4, "unterminated_quote"],
        [4, "too_few_fields"],
      ],
      stored: [order("or1"), order("or2")],
      absent: ["/v1/orders/or3"],
    },
  },
  {
    name: "structure/quote-inside-unquoted-field",
    expected:
      "completed: a quote inside an unquoted field is text (as papaparse, Excel and Python read it), with a stray_quote warning of line 3 that says how to quote it",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), row("or2", 1, { lineItem_name: 'Shirt 15" collar' }), row("or3")]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 3, itemsInvalid: 0 },
      issues: [[3, "stray_quote"]],
      issueMessages: { 0: [/read as text/, /enclose the whole field in quotes/, /double/] },
      stored: [
        order("or1"),
        order("or2", { lineItems: [{ id: "li1", name: 'Shirt 15" collar' }] }),
        order("or3"),
      ],
    },
  },
  {
    name: "structure/10mb-field",
    expected: "failed: the record of line 3 is over MAX_RECORD_BYTES (1 MiB), named with the limit",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () =>
      velocidi([row("or1"), row("or2", 1, { lineItem_name: "x".repeat(10 * 1024 * 1024) }), row("or3")]),
    outcome: {
      status: "failed",
      code: "record_too_large",
      message: [/line 3\b/, /1,048,576|1 MiB/, /MAX_RECORD_BYTES/],
      absent: ["/v1/orders/or1"],
    },
  },
  {
    name: "values/field-too-large-to-store",
    expected:
      "completed: a 700 KB name (under MAX_RECORD_BYTES, over what one stored row holds) is a value_too_long issue of line 3; the others are stored",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), row("or2", 1, { lineItem_name: "n".repeat(700 * 1024) }), row("or3")]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[3, "value_too_long", "lineItems[0].name"]],
      issueMessages: { 0: [/too large to store/, /524,288/, /716,800/] },
      stored: [order("or1"), order("or3")],
      absent: ["/v1/orders/or2"],
    },
  },
  {
    name: "limits/5000-columns",
    expected: "failed: line 1 has 5,000 fields, more than MAX_COLUMNS (1,000)",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => {
      const extra = Array.from({ length: 5000 - COLUMNS.length }, (_, i) => `extra${i}`);
      const columns = [...COLUMNS, ...extra];
      return velocidi(
        three().map((_, i) => row(`or${i + 1}`, 1, {}, columns)),
        "\n",
        columns.join(","),
      );
    },
    outcome: {
      status: "failed",
      code: "too_many_columns",
      message: [/Line 1\b/, /5,000/, /1,000/, /MAX_COLUMNS/],
    },
  },
  {
    name: "structure/non-contiguous-order",
    expected:
      "completed: or1 again after or2 is a non_contiguous_order issue of line 5; or1 keeps its first rows",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1", 1), row("or1", 2), row("or2", 1), row("or1", 3), row("or3", 1)]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 4, itemsValid: 3, itemsInvalid: 1 },
      issues: [[5, "non_contiguous_order"]],
      stored: [order("or1", { lineItems: [{ id: "li1" }, { id: "li2" }] }), order("or2"), order("or3")],
    },
  },

  // Values ------------------------------------------------------------------------------------
  ...valueCases(),

  // Customers ---------------------------------------------------------------------------------
  {
    name: "values/email-none",
    expected: "completed: an e-mail id 'none' is a missing_field issue of line 3; the others are stored",
    type: "customers",
    format: "csv",
    filename: "customers.csv",
    options: CUSTOMER_OPTIONS,
    build: () => customersCsv(["ann@shop.com,Ann,gold", "none,Nobody,gold", "bob@shop.com,Bob,silver"]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[3, "missing_field", "email"]],
      issueMessages: { 0: [/"none"/, /not a user id/] },
      stored: [
        profile("email", "ann@shop.com", { attributes: { name: "Ann", tier: "gold" } }),
        profile("email", "bob@shop.com"),
      ],
      absent: ["/v1/profiles/email/none"],
    },
  },
  {
    name: "values/malformed-email-sha256",
    expected: "completed: a hash that is not 64 hex digits is an issue of line 2",
    type: "customers",
    format: "csv",
    filename: "customers.csv",
    options: { userIdField: "hash", userIdType: "email_sha256" },
    build: () => `hash,name\nnot-a-hash,Bad\n${"a".repeat(64)},Good\n${"B".repeat(63)},Short\n`,
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 1, itemsInvalid: 2 },
      issues: [
        [2, "invalid_email_sha256", "hash"],
        [4, "invalid_email_sha256", "hash"],
      ],
      stored: [profile("email_sha256", "a".repeat(64), { attributes: { name: "Good" } })],
    },
  },

  // JSON lines --------------------------------------------------------------------------------
  {
    name: "jsonl/broken-line",
    expected: "completed: the broken line is an invalid_json issue of line 2; the others are stored",
    type: "customers",
    format: "jsonl",
    filename: "customers.jsonl",
    options: { userIdField: "id", userIdType: "customer_id" },
    build: () => '{"id":"c1","points":1}\n{"id":"c2","points":\n{"id":"c3","points":3}\n',
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
      issues: [[2, "invalid_json"]],
      stored: [
        profile("customer_id", "c1", { attributes: { points: 1 } }),
        profile("customer_id", "c3", { attributes: { points: 3 } }),
      ],
      absent: ["/v1/profiles/customer_id/c2"],
    },
  },
  {
    name: "jsonl/non-object-lines",
    expected: "completed: an array and a number line are not_an_object issues of lines 2 and 3",
    type: "customers",
    format: "jsonl",
    filename: "customers.jsonl",
    options: { userIdField: "id", userIdType: "customer_id" },
    build: () => '{"id":"c1"}\n["c2"]\n42\n{"id":"c4"}\n',
    outcome: {
      status: "completed",
      stats: { itemsRead: 4, itemsValid: 2, itemsInvalid: 2 },
      issues: [
        [2, "not_an_object"],
        [3, "not_an_object"],
      ],
      stored: [profile("customer_id", "c1"), profile("customer_id", "c4")],
    },
  },
  {
    name: "limits/jsonl-record-too-large",
    expected: "failed: line 2 is over MAX_RECORD_BYTES, named with the limit",
    type: "products",
    format: "jsonl",
    filename: "products.jsonl",
    build: () =>
      `{"id":"j1","title":"One"}\n{"id":"j2","description":"${"y".repeat(2 * 1024 * 1024)}"}\n{"id":"j3"}\n`,
    outcome: {
      status: "failed",
      code: "record_too_large",
      message: [/Line 2\b|line 2\b/, /MAX_RECORD_BYTES/],
      absent: ["/v1/products/j1"],
    },
  },

  // XML ---------------------------------------------------------------------------------------
  {
    name: "xml/xxe-file-and-url",
    expected:
      "completed: entities of the DOCTYPE are never fetched nor expanded; items using them are invalid_xml issues",
    type: "products",
    format: "google_rss",
    filename: "feed.xml",
    build: ({ trapUrl }) => xxeFeed(trapUrl),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 1, itemsInvalid: 2 },
      issues: [
        [lineOf(xxeFeed(""), "<g:id>x1") - 1, "invalid_xml"],
        [lineOf(xxeFeed(""), "<g:id>x2") - 1, "invalid_xml"],
      ],
      issueMessages: { 0: [/&xxe;/, /not defined/], 1: [/&remote;/] },
      stored: [product("x3", { description: "Plain & safe" })],
      absent: ["/v1/products/x1", "/v1/products/x2"],
    },
  },
  {
    name: "xml/billion-laughs",
    expected: "completed: the entity bomb is never expanded; the item using it is an invalid_xml issue",
    type: "products",
    format: "google_rss",
    filename: "feed.xml",
    build: laughsFeed,
    outcome: {
      status: "completed",
      stats: { itemsRead: 2, itemsValid: 1, itemsInvalid: 1 },
      issues: [[lineOf(laughsFeed(), "<g:id>b1") - 1, "invalid_xml"]],
      issueMessages: { 0: [/&lol9;/] },
      stored: [product("b2", { description: "A mug" })],
      absent: ["/v1/products/b1"],
    },
  },
  {
    name: "limits/xml-item-too-large",
    expected: "failed: the second <item> is over MAX_RECORD_BYTES, named with its line and the limit",
    type: "products",
    format: "google_rss",
    filename: "feed.xml",
    build: () => bigItemFeed("z".repeat(2 * 1024 * 1024)),
    outcome: {
      status: "failed",
      code: "record_too_large",
      message: [new RegExp(`line ${lineOf(bigItemFeed("z"), "<g:id>i2") - 1}\\b`), /MAX_RECORD_BYTES/],
    },
  },

  // Archives ----------------------------------------------------------------------------------
  {
    name: "archive/zip-bomb",
    expected: "failed: the zip entry expands past MAX_DECOMPRESSED_BYTES (12 MiB)",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.zip",
    build: () =>
      zipFile([{ name: "orders.csv", content: `${VELOCIDI_HEADER}\n${"0".repeat(64 * 1024 * 1024)}` }]),
    outcome: { status: "failed", code: "file_too_large", message: [/12 MiB/, /unpack/] },
  },
  {
    name: "archive/gzip-bomb",
    expected: "failed: the gzip expands past MAX_DECOMPRESSED_BYTES (12 MiB)",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv.gz",
    build: () => new Uint8Array(gzipSync(`${VELOCIDI_HEADER}\n${"0".repeat(64 * 1024 * 1024)}`)),
    outcome: { status: "failed", code: "file_too_large", message: [/12 MiB/, /unpack/] },
  },
  {
    name: "archive/zip-named-csv",
    expected: "completed: a zip archive named .csv is known by its bytes and imported",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => zipFile([{ name: "orders.csv", content: velocidi(three()) }]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 3, itemsValid: 3, itemsInvalid: 0 },
      issues: [],
      stored: storedThree(),
    },
  },

  // Another format than the one named ---------------------------------------------------------
  {
    name: "format/jsonl-as-velocidi",
    expected: "failed: a JSON-lines file read as velocidi_csv names the missing columns and the JSON",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => '{"orderId":"or1","total":1}\n{"orderId":"or2","total":2}\n',
    outcome: { status: "failed", code: "wrong_format", message: [/JSON/] },
  },
  {
    name: "format/rss-as-csv",
    expected: "failed: an RSS feed read as customers csv is refused as XML",
    type: "customers",
    format: "csv",
    filename: "customers.csv",
    options: CUSTOMER_OPTIONS,
    build: () => RSS_FEED,
    outcome: { status: "failed", code: "wrong_format", message: [/XML/] },
  },
  {
    name: "format/csv-as-jsonl",
    expected: "failed: a CSV read as JSON lines is refused as not JSON lines",
    type: "customers",
    format: "jsonl",
    filename: "customers.jsonl",
    options: { userIdField: "email", userIdType: "email" },
    build: () => customersCsv(["ann@shop.com,Ann,gold", "bob@shop.com,Bob,silver"]),
    outcome: { status: "failed", code: "wrong_format", message: [/JSON/] },
  },
  {
    name: "format/csv-as-rss",
    expected: "failed: a CSV read as google_rss is refused as not XML",
    type: "products",
    format: "google_rss",
    filename: "feed.xml",
    build: () => "id,title\np1,Mug\n",
    outcome: { status: "failed", code: "wrong_format", message: [/XML/] },
  },
  {
    name: "format/shopify-as-velocidi",
    expected: "failed: a Shopify export read as velocidi_csv names the missing columns",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => "Name,Email,Financial Status,Total\n#1001,a@b.com,paid,10\n",
    outcome: { status: "failed", code: "missing_columns", message: [/"orderId"/] },
  },

  // Limits ------------------------------------------------------------------------------------
  {
    name: "limits/file-over-max-file-bytes",
    expected: "failed: a 13 MiB file over MAX_FILE_BYTES (12 MiB) names the limit and the var",
    type: "orders",
    format: "velocidi_csv",
    filename: "big.csv",
    via: "url",
    build: () => {
      const rows: string[] = [];
      const one = row("orN");
      const count = Math.ceil((13 * 1024 * 1024) / one.length);
      for (let i = 1; i <= count; i++) rows.push(row(`or${i}`));
      return velocidi(rows);
    },
    outcome: {
      status: "failed",
      code: "file_too_large",
      message: [/12 MiB/, /MAX_FILE_BYTES/],
      absent: ["/v1/orders/or1"],
    },
  },
  {
    name: "limits/issues-over-cap",
    expected: "completed: 120 bad orders, 120 issues counted, exactly 50 stored (MAX_STORED_ISSUES_PER_RUN)",
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () =>
      velocidi([
        ...Array.from({ length: 120 }, (_, i) => row(`bad${i + 1}`, 1, { total: '"12,5"' })),
        row("good1"),
      ]),
    outcome: {
      status: "completed",
      stats: { itemsRead: 121, itemsValid: 1, itemsInvalid: 120 },
      issues: Array.from(
        { length: 50 },
        (_, i) => [i + 2, "invalid_number", "total"] as [number, string, string],
      ),
      issuesTotal: 120,
      stored: [order("good1")],
      absent: ["/v1/orders/bad1"],
    },
  },
];

/** Velocidi value cases: one bad value on line 3 (or2), the other orders stored. */
function valueCases(): CorpusCase[] {
  const one = (
    name: string,
    set: Record<string, string>,
    issue: [string, string] | null,
    expected: string,
    match?: Record<string, unknown>,
  ): CorpusCase => ({
    name,
    expected,
    type: "orders",
    format: "velocidi_csv",
    filename: "orders.csv",
    build: () => velocidi([row("or1"), row("or2", 1, set), row("or3")]),
    outcome: issue
      ? {
          status: "completed",
          stats: { itemsRead: 3, itemsValid: 2, itemsInvalid: 1 },
          issues: [[3, issue[0], issue[1]]],
          stored: [order("or1"), order("or3")],
          absent: ["/v1/orders/or2"],
        }
      : {
          status: "completed",
          stats: { itemsRead: 3, itemsValid: 3, itemsInvalid: 0 },
          issues: [],
          stored: [order("or1"), order("or2", match), order("or3")],
        },
  });
  return [
    one(
      "values/decimal-comma",
      { total: '"12,5"' },
      ["invalid_number", "total"],
      "issue invalid_number on total, line 3",
    ),
    one("values/nan", { total: "NaN" }, ["invalid_number", "total"], "issue invalid_number on total, line 3"),
    one(
      "values/infinity",
      { tax: "Infinity" },
      ["invalid_number", "tax"],
      "issue invalid_number on tax, line 3",
    ),
    one(
      "values/negative-quantity",
      { lineItem_quantity: "-2" },
      ["negative_quantity", "lineItem_quantity"],
      "issue negative_quantity, line 3",
    ),
    one(
      "values/long-2^63",
      { lineItem_subscriptionDuration: "9223372036854775808" },
      ["invalid_long", "lineItem_subscriptionDuration"],
      "issue invalid_long (beyond a safe whole number), line 3",
    ),
    one(
      "values/date-without-offset",
      { createdAt: "2020-09-16T10:38:06" },
      null,
      "completed: a date without offset reads as UTC",
      { createdAt: "2020-09-16T10:38:06.000Z" },
    ),
    one(
      "values/impossible-date",
      { createdAt: "2025-02-30T10:00:00Z" },
      ["invalid_date", "createdAt"],
      "issue invalid_date on createdAt, line 3",
    ),
    one(
      "values/unknown-currency",
      { currency: "EURO" },
      ["invalid_currency", "currency"],
      "issue invalid_currency, line 3",
    ),
    one(
      "values/unknown-status",
      { lineItem_status: "shipped" },
      ["invalid_status", "lineItem_status"],
      "issue invalid_status, line 3",
    ),
    one(
      "values/user-id-none",
      { userId: "none" },
      ["missing_field", "userId"],
      "issue missing_field: userId 'none' is not a user id, line 3",
    ),
    one(
      "values/user-id-not-an-email",
      { userId: "ann.example.com" },
      ["invalid_id", "userId"],
      "issue invalid_id: an email userId without @, line 3",
    ),
  ];
}
