import { describe, expect, it } from "vitest";
import { ReadConfig } from "../src/config";
import { GOOGLE_ATTRIBUTES } from "../src/formats/products";
import { VELOCIDI_COLUMNS } from "../src/formats/velocidi";
import { mappingTarget, SHOPIFY_EXPORT_COLUMNS } from "../src/mapping/fields";
import { columnKey } from "../src/mapping/names";
import { type MappingSuggestion, suggestMapping } from "../src/mapping/suggest";
import { dateFormat } from "../src/mapping/values";
import { createReader } from "../src/pipeline";
import { seededRandom } from "./support/random";

/**
 * Real exports' headers and what each should map onto: the field, or for customers the user id
 * with its type (`userId:email`), or null for a column no field takes. Each export's headers are
 * suggested together, as its file would be, so that the better of two names wins a field.
 */
type Expected = string | null;
const EXPORTS: { source: string; type: string; format: string; headers: [string, Expected][] }[] = [
  {
    source: "Shopify orders export",
    type: "orders",
    format: "velocidi_csv",
    headers: [
      ["Name", null],
      ["Email", "userId"],
      ["Financial Status", null],
      ["Paid at", null],
      ["Fulfillment Status", null],
      ["Currency", "currency"],
      ["Subtotal", "subtotal"],
      ["Shipping", "shipping"],
      ["Taxes", "tax"],
      ["Total", "total"],
      ["Discount Code", "promotions"],
      ["Discount Amount", "discount"],
      ["Shipping Method", "shippingMethod"],
      ["Created at", "createdAt"],
      ["Lineitem quantity", "lineItem_quantity"],
      ["Lineitem name", "lineItem_name"],
      ["Lineitem price", null],
      ["Lineitem sku", "lineItem_sku"],
      ["Lineitem fulfillment status", "lineItem_status"],
      ["Billing Phone", null],
      ["Shipping Country", "shippingCountry"],
      ["Payment Method", "paymentMethod"],
      ["Refunded Amount", "refund"],
      ["Vendor", "lineItem_brand"],
      ["Id", null],
      ["Lineitem discount", "lineItem_discount"],
      ["Phone", null],
    ],
  },
  {
    source: "Shopify customers export",
    type: "customers",
    format: "csv",
    headers: [
      ["Customer ID", null],
      ["First Name", null],
      ["Last Name", null],
      ["Email", "userId:email"],
      ["Accepts Email Marketing", null],
      ["Default Address Phone", null],
      ["Phone", null],
      ["Total Spent", null],
      ["Tags", null],
    ],
  },
  {
    source: "Shopify products export",
    type: "products",
    format: "google_tsv",
    headers: [
      ["Handle", "item_group_id"],
      ["Title", "title"],
      ["Body (HTML)", "description"],
      ["Vendor", "brand"],
      ["Product Category", null],
      ["Type", "product_type"],
      ["Tags", null],
      ["Variant SKU", "id"],
      ["Variant Price", "price"],
      ["Variant Compare At Price", null],
      ["Variant Barcode", "gtin"],
      ["Image Src", "image_link"],
      ["Google Shopping / Google Product Category", "google_product_category"],
      ["Google Shopping / Gender", "gender"],
      ["Google Shopping / Age Group", "age_group"],
      ["Google Shopping / MPN", "mpn"],
      ["Google Shopping / Condition", "condition"],
      ["Status", null],
    ],
  },
  {
    source: "WooCommerce orders export, one row per item",
    type: "orders",
    format: "velocidi_csv",
    headers: [
      ["order_id", "orderId"],
      ["order_number", null],
      ["order_date", "createdAt"],
      ["status", "lineItem_status"],
      ["shipping_total", "shipping"],
      ["tax_total", "tax"],
      ["discount_total", "discount"],
      ["order_subtotal", "subtotal"],
      ["order_total", "total"],
      ["refunds", "refund"],
      ["order_currency", "currency"],
      ["payment_method", "paymentMethod"],
      ["shipping_method", "shippingMethod"],
      ["customer_id", null],
      ["billing_email", "userId"],
      ["billing_phone", null],
      ["shipping_country", "shippingCountry"],
      ["item_id", "lineItem_id"],
      ["product_id", "lineItem_productId"],
      ["item_name", "lineItem_name"],
      ["item_sku", "lineItem_sku"],
      ["item_quantity", "lineItem_quantity"],
      ["item_subtotal", "lineItem_subtotal"],
      ["item_tax", "lineItem_tax"],
      ["item_total", "lineItem_total"],
      ["item_refunded", "lineItem_refund"],
      ["coupon_items", null],
    ],
  },
  {
    source: "WooCommerce products export",
    type: "products",
    format: "google_tsv",
    headers: [
      ["ID", "id"],
      ["Type", "product_type"],
      ["SKU", null],
      ["Name", "title"],
      ["Short description", null],
      ["Description", "description"],
      ["In stock?", null],
      ["Sale price", "sale_price"],
      ["Regular price", "price"],
      ["Categories", null],
      ["Images", "image_link"],
      ["Parent", "item_group_id"],
      ["Brands", "brand"],
    ],
  },
  {
    source: "Magento 2 orders grid export",
    type: "orders",
    format: "velocidi_csv",
    headers: [
      ["ID", null],
      ["Purchase Point", null],
      ["Purchase Date", "createdAt"],
      ["Bill-to Name", null],
      ["Ship-to Name", null],
      ["Grand Total (Base)", null],
      ["Grand Total (Purchased)", "total"],
      ["Status", "lineItem_status"],
      ["Customer Email", "userId"],
      ["Customer Group", null],
      ["Subtotal", "subtotal"],
      ["Shipping and Handling", "shipping"],
      ["Customer Name", null],
      ["Payment Method", "paymentMethod"],
      ["Total Refunded", "refund"],
      ["Shipping Information", "shippingMethod"],
    ],
  },
  {
    source: "Magento 2 customers main file",
    type: "customers",
    format: "csv",
    headers: [
      ["email", "userId:email"],
      ["_website", null],
      ["_store", null],
      ["created_at", null],
      ["dob", null],
      ["firstname", null],
      ["lastname", null],
      ["gender", null],
    ],
  },
  {
    source: "Magento 2 products export",
    type: "products",
    format: "google_tsv",
    headers: [
      ["sku", "id"],
      ["store_view_code", null],
      ["categories", "product_type"],
      ["name", "title"],
      ["description", "description"],
      ["short_description", null],
      ["price", "price"],
      ["special_price", "sale_price"],
      ["url_key", null],
      ["base_image", "image_link"],
      ["manufacturer", "brand"],
      ["color", "color"],
    ],
  },
  {
    source: "HubSpot contacts export",
    type: "customers",
    format: "csv",
    headers: [
      ["Record ID", null],
      ["First Name", null],
      ["Last Name", null],
      ["Email", "userId:email"],
      ["Phone Number", null],
      ["Mobile Phone Number", null],
      ["Lifecycle Stage", null],
      ["Create Date", null],
    ],
  },
  {
    source: "HubSpot contacts export without e-mails",
    type: "customers",
    format: "csv",
    headers: [
      ["Record ID", null],
      ["First Name", null],
      ["Mobile Phone Number", "userId:phone"],
    ],
  },
  {
    source: "Mailchimp audience export",
    type: "customers",
    format: "csv",
    headers: [
      ["Email Address", "userId:email"],
      ["First Name", null],
      ["Last Name", null],
      ["Address", null],
      ["Phone Number", null],
      ["Birthday", null],
      ["MEMBER_RATING", null],
      ["OPTIN_TIME", null],
      ["LAST_CHANGED", null],
      ["LEID", null],
      ["EUID", null],
      ["TAGS", null],
    ],
  },
  {
    source: "E-goi contacts export (Portuguese)",
    type: "customers",
    format: "csv",
    headers: [
      ["ID contacto", null],
      ["Primeiro nome", null],
      ["Apelido", null],
      ["E-mail", "userId:email"],
      ["Telemóvel", null],
      ["Telefone", null],
      ["Data de nascimento", null],
      ["Idioma", null],
    ],
  },
  {
    source: "E-goi contacts export without e-mails",
    type: "customers",
    format: "csv",
    headers: [
      ["ID contacto", null],
      ["Primeiro nome", null],
      ["Telemóvel", "userId:phone"],
    ],
  },
  {
    source: "E-goi contacts export with contact ids only",
    type: "customers",
    format: "csv",
    headers: [
      ["ID contacto", "userId:egoi_contact_id"],
      ["Idioma", null],
    ],
  },
  {
    source: "Portuguese shop orders export",
    type: "orders",
    format: "velocidi_csv",
    headers: [
      ["N.º encomenda", "orderId"],
      ["Data da encomenda", "createdAt"],
      ["Correio eletrónico", "userId"],
      ["Moeda", "currency"],
      ["Total", "total"],
      ["IVA", "tax"],
      ["Portes", "shipping"],
      ["Desconto", "discount"],
      ["Referência", "lineItem_sku"],
      ["Produto", "lineItem_name"],
      ["Quantidade", "lineItem_quantity"],
      ["Estado", "lineItem_status"],
      ["Método de pagamento", "paymentMethod"],
      ["Cupão", "promotions"],
    ],
  },
];

/** What the suggestion made of each column, in the table's terms. */
function outcome(suggestion: MappingSuggestion, column: string): Expected {
  const match = suggestion.matches.find((m) => m.column === column);
  if (!match) return null;
  if (match.field === "userId" && suggestion.options) return `userId:${suggestion.options.userIdType ?? "?"}`;
  return match.field;
}

describe("suggestMapping: headers of real exports", () => {
  const rows = EXPORTS.flatMap((file) => file.headers);
  it("the table has at least 40 headers of Shopify, WooCommerce, Magento, HubSpot, Mailchimp and E-goi exports", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    for (const name of ["Shopify", "WooCommerce", "Magento", "HubSpot", "Mailchimp", "E-goi"])
      expect(EXPORTS.some((file) => file.source.startsWith(name))).toBe(true);
  });

  for (const file of EXPORTS) {
    it(`maps the ${file.source} (${file.format})`, () => {
      const columns = file.headers.map(([header]) => header);
      const suggestion = suggestMapping({ type: file.type, format: file.format, columns });
      const got = columns.map((column) => [column, outcome(suggestion, column)]);
      expect(got).toEqual(file.headers);
      expect(suggestion.unmatchedColumns).toEqual(
        file.headers.filter(([, expected]) => expected === null).map(([header]) => header),
      );
    });
  }
});

describe("suggestMapping: names", () => {
  const field = (columns: string[], type = "orders", format = "velocidi_csv") =>
    suggestMapping({ type, format, columns }).matches.map((m) => [m.column, m.field, m.by]);

  it("matches a field's own name whatever its case, spaces, _ - . and accents", () => {
    expect(
      field(["ORDER_ID", "user-id", "Line Item.SKU", " currency ", "créatedAt", "lineitem_quantity"]),
    ).toEqual([
      ["ORDER_ID", "orderId", "name"],
      ["user-id", "userId", "name"],
      ["Line Item.SKU", "lineItem_sku", "name"],
      [" currency ", "currency", "name"],
      ["créatedAt", "createdAt", "name"],
      ["lineitem_quantity", "lineItem_quantity", "name"],
    ]);
  });

  it("knows the product description's examples", () => {
    for (const column of ["Order Number", "order no", "N.º encomenda"])
      expect(field([column])).toEqual([[column, "orderId", "synonym"]]);
    for (const column of ["E-mail Address", "Customer Email", "correio eletrónico"]) {
      const suggestion = suggestMapping({ type: "customers", format: "csv", columns: [column] });
      expect(suggestion.options).toEqual({ userIdField: column, userIdType: "email" });
      const order = suggestMapping({ type: "orders", format: "velocidi_csv", columns: [column] });
      expect(order.matches).toEqual([{ column, field: "userId", by: "synonym" }]);
      expect(order.transformations).toContainEqual({ op: "add", field: "userIdType", value: "email" });
    }
    for (const column of ["Telemóvel", "Mobile"]) {
      const suggestion = suggestMapping({ type: "customers", format: "jsonl", columns: [column] });
      expect(suggestion.options).toEqual({ userIdField: column, userIdType: "phone" });
    }
  });

  it("prefers the file's exact name, then a name in another case, then the better synonym", () => {
    expect(field(["Order Number", "Order ID", "orderId"])).toEqual([["orderId", "orderId", "name"]]);
    expect(field(["Order Number", "ORDER ID"])).toEqual([["ORDER ID", "orderId", "name"]]);
    expect(field(["Order", "Order Number"])).toEqual([["Order Number", "orderId", "synonym"]]);
    // An e-mail is a better user id than a phone or a customer number, whatever the column order.
    expect(field(["Customer ID", "Mobile", "Email"])).toEqual([["Email", "userId", "synonym"]]);
  });

  it("never maps two columns onto one field, nor onto a field the format lacks", () => {
    const random = seededRandom(21);
    for (const format of ["velocidi_csv", "shopify_csv", "csv", "google_tsv", "google_rss", "jsonl"]) {
      const type =
        format === "velocidi_csv" || format === "shopify_csv"
          ? "orders"
          : format === "csv"
            ? "customers"
            : "products";
      const target = mappingTarget(type, format);
      const fields = new Set(target?.fields.map((f) => f.field));
      // Every name any format knows, in random cases and separators.
      const pool = [...new Set(EXPORTS.flatMap((f) => f.headers.map(([h]) => h)))];
      for (const spec of mappingTarget("orders", "velocidi_csv")?.fields ?? [])
        pool.push(spec.field, ...spec.synonyms.map((s) => s.name));
      for (let round = 0; round < 50; round++) {
        const columns = [
          ...new Set(
            Array.from({ length: 30 }, () => {
              const name = pool[Math.floor(random() * pool.length)] ?? "";
              return random() < 0.5 ? name.toUpperCase().replaceAll(" ", "_") : name;
            }),
          ),
        ];
        const suggestion = suggestMapping({ type, format, columns });
        const mapped = suggestion.matches.map((m) => m.field);
        expect(new Set(mapped).size).toBe(mapped.length);
        for (const name of mapped) expect(fields.has(name)).toBe(true);
        const renamed = suggestion.transformations.flatMap((t) => (t.op === "rename" ? [t.to] : []));
        expect(new Set(renamed).size).toBe(renamed.length);
        expect(suggestion.matches.length + suggestion.unmatchedColumns.length).toBe(columns.length);
      }
    }
  });

  it("lists each name under one field of a format only", () => {
    for (const [type, format] of [
      ["orders", "velocidi_csv"],
      ["orders", "shopify_csv"],
      ["customers", "csv"],
      ["products", "google_tsv"],
    ] as const) {
      const owner = new Map<string, string>();
      for (const spec of mappingTarget(type, format)?.fields ?? []) {
        for (const name of [spec.field, ...spec.synonyms.map((s) => s.name)]) {
          const key = columnKey(name);
          const other = owner.get(key);
          expect(
            other === undefined || other === spec.field,
            `${format}: "${name}" is ${other} and ${spec.field}`,
          ).toBe(true);
          owner.set(key, spec.field);
        }
      }
    }
  });

  it("suggests only the fields the formats read", () => {
    expect(mappingTarget("orders", "velocidi_csv")?.fields.map((f) => f.field)).toEqual([
      ...VELOCIDI_COLUMNS,
    ]);
    const shopify: readonly string[] = SHOPIFY_EXPORT_COLUMNS;
    for (const spec of mappingTarget("orders", "shopify_csv")?.fields ?? [])
      expect(shopify).toContain(spec.field);
    const google = [...GOOGLE_ATTRIBUTES, "additional_image_link", "size_system"];
    for (const spec of mappingTarget("products", "google_tsv")?.fields ?? [])
      expect(google).toContain(spec.field);
    expect(mappingTarget("products", "jsonl")?.fields.map((f) => f.field)).toEqual(["id"]);
    expect(mappingTarget("customers", "egoi_contacts")).toBeNull();
  });

  it("keeps a Shopify export's own columns for shopify_csv and maps other names onto them", () => {
    const suggestion = suggestMapping({
      type: "orders",
      format: "shopify_csv",
      columns: [
        ...SHOPIFY_EXPORT_COLUMNS.filter((c) => c !== "Fulfilled at"),
        "Fulfillment Date",
        "Order ID",
      ],
    });
    expect(suggestion.transformations).toEqual([
      { op: "rename", from: "Fulfillment Date", to: "Fulfilled at" },
    ]);
    expect(suggestion.missingRequired).toEqual([]);
    const foreign = suggestMapping({
      type: "orders",
      format: "shopify_csv",
      columns: ["Order Number", "Order ID", "Customer Email", "Order Date", "Quantity", "SKU"],
    });
    expect(foreign.matches.map((m) => [m.column, m.field])).toEqual([
      ["Order Number", "Name"],
      ["Order ID", "Id"],
      ["Customer Email", "Email"],
      ["Order Date", "Created at"],
      ["Quantity", "Lineitem quantity"],
      ["SKU", "Lineitem sku"],
    ]);
  });

  it("reads an XML feed's g: elements without their prefix", () => {
    const suggestion = suggestMapping({
      type: "products",
      format: "google_rss",
      columns: ["g:id", "title", "g:image_link", "g:Price", "g:brand_name"],
    });
    expect(suggestion.matches.map((m) => [m.column, m.field, m.by])).toEqual([
      ["g:id", "id", "name"],
      ["title", "title", "name"],
      ["g:image_link", "image_link", "name"],
      ["g:Price", "price", "name"],
    ]);
    expect(suggestion.transformations).toEqual([{ op: "rename", from: "Price", to: "price" }]);
    expect(suggestion.missingRequired).toEqual(["description", "link", "availability"]);
  });
});

describe("suggestMapping: sample values", () => {
  const order = (columns: string[], sample: unknown[][]) =>
    suggestMapping({ type: "orders", format: "velocidi_csv", columns, sample });

  it("finds the user id, the date, the currency and the total of columns no name tells", () => {
    const suggestion = order(
      ["ref", "comprador", "quando", "cur", "pago", "nota"],
      [
        ["A1", "ann@x.com", "2024-03-01T10:00:00Z", "EUR", "12.50", "gift"],
        ["A2", "", "2024-03-02", "eur", "€ 1.200,00", "12.50"],
        ["A3", "Bob@Example.org", "2024-03-03 09:00:00 +0100", "USD", "3,00", "x"],
      ],
    );
    expect(suggestion.matches).toEqual([
      { column: "ref", field: "lineItem_sku", by: "synonym" },
      { column: "comprador", field: "userId", by: "values" },
      { column: "quando", field: "createdAt", by: "values" },
      { column: "pago", field: "total", by: "values" },
    ]);
    // "eur" is no ISO 4217 code: the column is not one of currencies.
    expect(suggestion.unmatchedColumns).toEqual(["cur", "nota"]);
    expect(suggestion.transformations).toContainEqual({ op: "add", field: "userIdType", value: "email" });
  });

  it("leaves a field unmatched when two columns hold its kind of value", () => {
    const suggestion = order(
      ["a", "b", "c"],
      [
        ["EUR", "USD", "12.00"],
        ["EUR", "GBP", "3.50"],
      ],
    );
    expect(suggestion.matches).toEqual([{ column: "c", field: "total", by: "values" }]);
  });

  it("does not take whole numbers for prices, nor one e-mail among names for e-mails", () => {
    const suggestion = order(
      ["a", "b"],
      [
        ["3", "ann@x.com"],
        ["12", "Ann"],
      ],
    );
    expect(suggestion.matches).toEqual([]);
  });

  it("gives a date column the timestamp pattern that reads it, when day and month are told apart", () => {
    const suggestion = order(
      ["Order Number", "Order Date"],
      [
        ["1", "16/09/2020 10:38"],
        ["2", "01/10/2020 08:05"],
      ],
    );
    expect(suggestion.transformations).toEqual([
      { op: "rename", from: "Order Number", to: "orderId" },
      {
        op: "rename",
        from: "Order Date",
        to: "createdAt",
        values: [{ type: "timestamp", pattern: "dd/MM/yyyy HH:mm" }],
      },
    ]);
    expect(suggestion.matches[1]?.note).toBe(
      "The dates are written dd/MM/yyyy HH:mm: the timestamp transformation reads them.",
    );
  });

  it("says so instead of guessing when the dates could be day first or month first", () => {
    const suggestion = order(["createdAt"], [["01/02/2020"], ["03/04/2020"]]);
    expect(suggestion.transformations).toEqual([]);
    expect(suggestion.matches).toEqual([
      {
        column: "createdAt",
        field: "createdAt",
        by: "name",
        note: "The dates could be dd/MM/yyyy or MM/dd/yyyy: add a timestamp transformation with the file's pattern.",
      },
    ]);
  });

  it("keeps a column named as its field, adding only the pattern its dates need", () => {
    expect(order(["createdAt"], [["2020-09-16T10:38:06+0100"]]).transformations).toEqual([]);
    expect(order(["createdAt"], [["Sep 16, 2020 10:38:06 AM"]]).transformations).toEqual([
      {
        op: "rename",
        from: "createdAt",
        to: "createdAt",
        values: [{ type: "timestamp", pattern: "MMM d, yyyy hh:mm:ss a" }],
      },
    ]);
  });

  it("reads the date patterns of real exports", () => {
    expect(dateFormat(["2025-12-03 23:59:29 +0000"])).toEqual({ kind: "iso" });
    expect(dateFormat(["September 16, 2020"])).toEqual({ kind: "pattern", pattern: "MMMM d, yyyy" });
    expect(dateFormat(["9/16/2020 10:38 PM", "10/1/2020 9:05 AM"])).toEqual({
      kind: "pattern",
      pattern: "M/d/yyyy h:mm a",
    });
    expect(dateFormat(["16.09.2020", "1.10.2020"])).toEqual({ kind: "pattern", pattern: "d.M.yyyy" });
    expect(dateFormat(["16/09/2020", "not a date"])).toBeNull();
  });

  it("lets e-mails tell a customer id's type, and says when nothing tells it", () => {
    const emails = suggestMapping({
      type: "customers",
      format: "csv",
      columns: ["Customer ID", "Name"],
      sample: [["ann@x.com", "Ann"]],
    });
    expect(emails.options).toEqual({ userIdField: "Customer ID", userIdType: "email" });
    expect(emails.transformations).toEqual([]);
    const unknown = suggestMapping({ type: "customers", format: "csv", columns: ["user_id", "Name"] });
    expect(unknown.options).toEqual({ userIdField: "user_id" });
    expect(unknown.missingRequired).toEqual(["userIdType"]);
    const none = suggestMapping({ type: "customers", format: "csv", columns: ["Name"] });
    expect(none.options).toBeUndefined();
    expect(none.missingRequired).toEqual(["userId"]);
  });

  it("finds a product's price, image and page by their values", () => {
    const suggestion = suggestMapping({
      type: "products",
      format: "google_tsv",
      columns: ["sku", "custo", "foto principal", "pagina"],
      sample: [
        ["p1", "15.00 USD", "https://cdn.example.com/p1.JPG?v=2", "https://shop.example.com/p1"],
        ["p2", "9.90 USD", "https://cdn.example.com/p2.webp", "https://shop.example.com/p2"],
      ],
    });
    expect(suggestion.matches.map((m) => [m.column, m.field, m.by])).toEqual([
      ["sku", "id", "synonym"],
      ["custo", "price", "values"],
      ["foto principal", "image_link", "values"],
      ["pagina", "link", "values"],
    ]);
  });
});

describe("suggested transformations on the file they were made for", () => {
  it("read a foreign-header file into valid orders, and its issues name the file's columns", () => {
    const header = [
      "Order Number",
      "Customer Email",
      "Order Date",
      "Currency",
      "Order Total",
      "Subtotal",
      "VAT",
      "Shipping Cost",
      "Discount",
      "Refunded",
      "Product ID",
      "SKU",
      "Line Total",
      "Line Subtotal",
      "Line Tax",
      "Line Shipping",
      "Line Discount",
      "Line Refund",
      "Qty",
      "Item Status",
      "Gift wrap",
    ];
    const rows = [
      [
        "1001",
        "Ann@Example.com",
        "16/09/2020",
        "EUR",
        "12.30",
        "10.00",
        "2.30",
        "0",
        "0",
        "0",
        "p1",
        "p1-s",
        "12.30",
        "10.00",
        "2.30",
        "0",
        "0",
        "0",
        "1",
        "paid",
        "no",
      ],
      [
        "1002",
        "bob@example.com",
        "01/10/2020",
        "EUR",
        "12,5",
        "10.00",
        "2.50",
        "0",
        "0",
        "0",
        "p2",
        "p2-s",
        "12.50",
        "10.00",
        "2.50",
        "0",
        "0",
        "0",
        "1",
        "paid",
        "yes",
      ],
    ];
    const suggestion = suggestMapping({
      type: "orders",
      format: "velocidi_csv",
      columns: header,
      sample: rows,
    });
    expect(suggestion.missingRequired).toEqual([]);
    expect(suggestion.unmatchedColumns).toEqual(["Gift wrap"]);
    const config = ReadConfig.parse({
      type: "orders",
      format: "velocidi_csv",
      transformations: suggestion.transformations,
    });
    const text = [header, ...rows].map((row) => row.join(";")).join("\n");
    const reader = createReader({ ...config, options: { delimiter: ";" } });
    const results = [...reader.write(`${text}\n`), ...reader.end()];
    expect(results[0]?.item).toMatchObject({
      orderId: "1001",
      userIdType: "email",
      userId: "Ann@Example.com",
      currency: "EUR",
      total: 12.3,
      createdAt: "2020-09-16T00:00:00.000Z",
      lineItems: [
        { productId: "p1", sku: "p1-s", currency: "EUR", total: 12.3, quantity: 1, status: "paid" },
      ],
    });
    expect(results[1]?.item).toBeNull();
    expect(results[1]?.issues).toEqual([
      {
        row: 3,
        item: "1002",
        field: "total",
        column: "Order Total",
        code: "invalid_number",
        severity: "error",
        message: '"total" must be a number, like 102.5 (with a dot for decimals); got "12,5".',
        value: "12,5",
      },
    ]);
  });
});
