import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, seedTenants, TENANTS, upload } from "./support/api";

beforeAll(seedTenants);

const PATH = "/v1/imports/suggest-mapping";

interface Suggestion {
  transformations: Record<string, unknown>[];
  matches: { column: string; field: string; by: string; note?: string }[];
  unmatchedColumns: string[];
  missingRequired: string[];
  options?: { userIdField: string; userIdType?: string };
  columns?: string[];
  sample?: unknown[][];
}

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { path: string; message: string; suggestion?: string }[];
  };
}

async function uploaded(
  content: string,
  filename = "export.csv",
  tenant: { id: string; key: string } = TENANTS.acme,
) {
  const key = await upload(filename, tenant.key);
  await env.FILES.put(`tenants/${tenant.id}/uploads/${key}`, content);
  return key;
}

describe("POST /v1/imports/suggest-mapping", () => {
  it("maps a file's columns onto the format's fields, as API.md shows", async () => {
    const res = await call<Suggestion>("POST", PATH, {
      body: {
        type: "orders",
        format: "velocidi_csv",
        columns: ["Order Number", "Customer Email", "Order Date", "Gift wrap"],
        sample: [
          ["1001", "ann@example.com", "16/09/2020", "no"],
          ["1002", "bob@example.com", "01/10/2020", "yes"],
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.transformations).toEqual([
      { op: "rename", from: "Order Number", to: "orderId" },
      { op: "rename", from: "Customer Email", to: "userId" },
      {
        op: "rename",
        from: "Order Date",
        to: "createdAt",
        values: [{ type: "timestamp", pattern: "dd/MM/yyyy" }],
      },
      { op: "add", field: "userIdType", value: "email" },
    ]);
    expect(res.body.matches.map((m) => [m.column, m.field, m.by])).toEqual([
      ["Order Number", "orderId", "synonym"],
      ["Customer Email", "userId", "synonym"],
      ["Order Date", "createdAt", "synonym"],
    ]);
    expect(res.body.unmatchedColumns).toEqual(["Gift wrap"]);
    expect(res.body.missingRequired).toContain("currency");
    expect(res.body.missingRequired).not.toContain("userIdType");
    expect(res.body).not.toHaveProperty("columns");
  });

  it("suggests the user id field and type of customers", async () => {
    const res = await call<Suggestion>("POST", PATH, {
      body: {
        type: "customers",
        format: "csv",
        columns: ["Primeiro nome", "Telemóvel", "Correio eletrónico"],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.options).toEqual({ userIdField: "Correio eletrónico", userIdType: "email" });
    expect(res.body.transformations).toEqual([]);
    expect(res.body.unmatchedColumns).toEqual(["Primeiro nome", "Telemóvel"]);
    expect(res.body.missingRequired).toEqual([]);
  });

  it("reads the columns and first rows of an uploaded file, and suggests for them", async () => {
    const rows = Array.from({ length: 15 }, (_, i) => `${1000 + i};c${i}@example.com;${10 + i}/09/2020;EUR`);
    const key = await uploaded(`\uFEFFOrder Number;Customer Email;Order Date;Currency\n${rows.join("\n")}\n`);
    const res = await call<Suggestion>("POST", PATH, {
      body: {
        type: "orders",
        format: "velocidi_csv",
        source: { type: "upload", key },
        options: { delimiter: ";" },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual(["Order Number", "Customer Email", "Order Date", "Currency"]);
    expect(res.body.sample).toHaveLength(10);
    expect(res.body.sample?.[0]).toEqual(["1000", "c0@example.com", "10/09/2020", "EUR"]);
    expect(res.body.matches.map((m) => m.field)).toEqual(["orderId", "userId", "createdAt", "currency"]);
    expect(res.body.transformations).toContainEqual({
      op: "rename",
      from: "Order Date",
      to: "createdAt",
      values: [{ type: "timestamp", pattern: "dd/MM/yyyy" }],
    });
  });

  it("reads JSON lines' keys", async () => {
    const key = await uploaded('{"E-mail":"ann@x.com","plan":"gold"}\n{"E-mail":"bob@x.com","since":2020}\n');
    const res = await call<Suggestion>("POST", PATH, {
      body: { type: "customers", format: "jsonl", source: { type: "upload", key } },
    });
    expect(res.status).toBe(200);
    expect(res.body.columns).toEqual(["E-mail", "plan", "since"]);
    expect(res.body.sample).toEqual([
      ["ann@x.com", "gold", null],
      ["bob@x.com", null, 2020],
    ]);
    expect(res.body.options).toEqual({ userIdField: "E-mail", userIdType: "email" });
  });

  it("says why a file cannot be read, as a run would", async () => {
    const key = await uploaded("");
    const res = await call<ErrorBody>("POST", PATH, {
      body: { type: "orders", format: "velocidi_csv", source: { type: "upload", key } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "unprocessable", details: { code: "empty_file" } });
  });

  it("does not read another tenant's upload", async () => {
    const key = await uploaded("Order Number\n1\n", "theirs.csv", TENANTS.globex);
    const res = await call<ErrorBody>("POST", PATH, {
      body: { type: "orders", format: "velocidi_csv", source: { type: "upload", key } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("upload_not_found");
  });

  it("refuses what it cannot do as asked, naming the field", async () => {
    const cases: [Record<string, unknown>, number, string, string, RegExp][] = [
      [
        { type: "orders", format: "velocidi_csv", column: ["a"] },
        400,
        "unknown_field",
        "column",
        /"columns"/,
      ],
      [{ type: "orders", format: "velocidi_csv" }, 400, "validation_failed", "columns", /is required/],
      [
        { type: "orders", format: "jsonl", columns: ["a"] },
        400,
        "unknown_format",
        "format",
        /velocidi_csv, shopify_csv/,
      ],
      [
        { type: "customers", format: "egoi_contacts", columns: ["a"] },
        400,
        "unknown_format",
        "format",
        /fixed fields/,
      ],
      [
        { type: "orders", format: "velocidi_csv", columns: ["a"], source: { type: "upload", key: "k" } },
        400,
        "validation_failed",
        "source",
        /not both/,
      ],
      [
        { type: "orders", format: "velocidi_csv", columns: ["a", "b", "a"] },
        400,
        "validation_failed",
        "columns.2",
        /again/,
      ],
      [
        { type: "orders", format: "velocidi_csv", columns: ["a"], sample: [["1", "2"]] },
        400,
        "validation_failed",
        "sample.0",
        /more than the 1 columns/,
      ],
      [
        { type: "orders", format: "velocidi_csv", columns: ["a"], options: { delimiter: ";" } },
        400,
        "validation_failed",
        "options",
        /without a source/,
      ],
      [
        {
          type: "products",
          format: "google_tsv",
          source: { type: "upload", key: "k" },
          options: { delimiter: ";" },
        },
        400,
        "validation_failed",
        "options.delimiter",
        /does nothing/,
      ],
      [
        { type: "customers", format: "csv", source: { type: "egoi", apiKey: "k", listId: 1 } },
        400,
        "validation_failed",
        "source.type",
        /no file/,
      ],
      [
        { type: "orders", format: "velocidi_csv", columns: ["a"], options: { delimter: ";" } },
        400,
        "unknown_field",
        "options.delimter",
        /"delimiter"/,
      ],
    ];
    for (const [body, status, code, path, message] of cases) {
      const res = await call<ErrorBody>("POST", PATH, { body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.code, JSON.stringify(res.body)).toBe(code);
      const detail = res.body.error.details?.find((d) => d.path === path);
      expect(detail?.message, JSON.stringify(res.body)).toMatch(message);
    }
  });

  it("needs a key and a JSON body", async () => {
    const body = { type: "orders", format: "velocidi_csv", columns: ["a"] };
    expect((await call("POST", PATH, { key: null, body })).status).toBe(401);
    const text = await call<ErrorBody>("POST", PATH, { rawBody: JSON.stringify(body) });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe("unsupported_media_type");
  });
});
