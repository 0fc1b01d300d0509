import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type IssueView } from "./support/client";
import { type Stack, startStack } from "./support/stack";

// A shop's own export, with none of the format's column names, imported through the public API
// with the suggested mapping as it comes: no rename written by hand.

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack();
  await stack.createTenant("acme", "key_acme");
  api = new ApiClient(stack.url, "key_acme");
});
afterAll(async () => {
  await stack?.close();
});

const HEADER = [
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
  "Payment Method",
  "Product ID",
  "SKU",
  "Product Name",
  "Quantity",
  "Line Total",
  "Line Subtotal",
  "Line Tax",
  "Line Shipping",
  "Line Discount",
  "Line Refund",
  "Item Status",
  "Gift wrap",
];
const ORDER_1001 = [
  "1001",
  "Ann@Example.com",
  "16/09/2020",
  "EUR",
  "24.60",
  "20.00",
  "4.60",
  "0",
  "0",
  "0",
  "Visa",
];
const ROWS = [
  [...ORDER_1001, "p1", "p1-red", "Red mug", "1", "12.30", "10.00", "2.30", "0", "0", "0", "paid", "no"],
  [...ORDER_1001, "p2", "p2-blue", "Blue mug", "1", "12.30", "10.00", "2.30", "0", "0", "0", "paid", "no"],
  // "12,5" is no number the format reads: an issue of the file's own column "Order Total".
  ["1002", "bob@example.com", "01/10/2020", "EUR", "12,5", "10.00", "2.50", "0", "0", "0", "Visa"].concat([
    "p3",
    "p3",
    "Spoon",
    "1",
    "12.50",
    "10.00",
    "2.50",
    "0",
    "0",
    "0",
    "paid",
    "yes",
  ]),
  ["1003", "cid@example.com", "28/02/2021", "EUR", "6.15", "5.00", "1.15", "0", "0", "0", "MB Way"].concat([
    "p3",
    "p3",
    "Spoon",
    "1",
    "6.15",
    "5.00",
    "1.15",
    "0",
    "0",
    "0",
    "fulfilled",
    "no",
  ]),
];
const FILE = `${[HEADER, ...ROWS].map((row) => row.map((v) => (v.includes(",") ? `"${v}"` : v)).join(",")).join("\n")}\n`;

interface Suggestion {
  transformations: Record<string, unknown>[];
  matches: { column: string; field: string; by: string }[];
  unmatchedColumns: string[];
  missingRequired: string[];
  columns: string[];
  sample: unknown[][];
}

describe("a file with foreign headers, mapped by the suggestion", () => {
  let key: string;
  let suggestion: Suggestion;

  it("is read for its columns and samples, and every required field finds its column", async () => {
    key = await api.upload("shop-export.csv", FILE);
    const res = await api.call<Suggestion>("POST", "/v1/imports/suggest-mapping", {
      type: "orders",
      format: "velocidi_csv",
      source: { type: "upload", key },
    });
    expect(res.status).toBe(200);
    suggestion = res.body;
    expect(suggestion.columns).toEqual(HEADER);
    expect(suggestion.sample).toHaveLength(ROWS.length);
    expect(suggestion.missingRequired).toEqual([]);
    expect(suggestion.unmatchedColumns).toEqual(["Gift wrap"]);
    // The day above 12 tells day from month: the samples give the date's pattern.
    expect(suggestion.transformations).toContainEqual({
      op: "rename",
      from: "Order Date",
      to: "createdAt",
      values: [{ type: "timestamp", pattern: "dd/MM/yyyy" }],
    });
    expect(suggestion.transformations.filter((t) => t.op === "rename")).toHaveLength(HEADER.length - 1);
  });

  const config = () => ({
    type: "orders",
    format: "velocidi_csv",
    source: { type: "upload", key },
    options: { hashUserIds: true },
    transformations: suggestion.transformations,
  });

  it("previews with the suggested transformations: the orders, and issues naming the file's column", async () => {
    const res = await api.call<{ items: Record<string, unknown>[]; issues: IssueView[] }>(
      "POST",
      "/v1/imports/preview",
      { config: config() },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((o) => [o.orderId, o.userIdType, o.createdAt, o.total])).toEqual([
      ["1001", "email_sha256", "2020-09-16T00:00:00.000Z", 24.6],
      ["1003", "email_sha256", "2021-02-28T00:00:00.000Z", 6.15],
    ]);
    expect(res.body.issues).toEqual([
      {
        row: 4,
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

  it("imports them, and the run's issues name the column in JSON and in the CSV", async () => {
    const importId = await api.createImport({ name: "Shop export", ...config() });
    const run = await api.run(importId);
    expect(run.status).toBe("completed");
    expect(run.stats).toMatchObject({ rowsRead: 4, itemsRead: 3, itemsValid: 2, itemsInvalid: 1, added: 2 });

    const issues = await api.issues(run.id);
    expect(issues.map((i) => [i.row, i.item, i.field, i.column, i.code])).toEqual([
      [4, "1002", "total", "Order Total", "invalid_number"],
    ]);
    const csv = await api.call("GET", `/v1/runs/${run.id}/issues?format=csv`);
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("row,item,field,code,severity,message,value,column");
    expect(lines[1]).toMatch(/^4,1002,total,invalid_number,error,.*,"12,5",Order Total$/);

    const order = await api.call<{
      createdAt: string;
      currency: string;
      lineItems: { sku: string; currency: string }[];
    }>("GET", "/v1/orders/1001");
    expect(order.status).toBe(200);
    expect(order.body.createdAt).toBe("2020-09-16T00:00:00.000Z");
    expect(order.body.lineItems.map((li) => [li.sku, li.currency])).toEqual([
      ["p1-red", "EUR"],
      ["p2-blue", "EUR"],
    ]);
    const profile = await api.call("GET", "/v1/profiles/email/ann%40example.com");
    expect(profile.status).toBe(200);
  });
});
